# Writes the signed bytes (payload.bin) and an openssl config for the DER signature (sig.cnf) of a receipt or a checkpoint.
# Usage: python3 check_signature.py forecast.json receipt | python3 check_signature.py verify.json proof.checkpoint
import base64, functools, json, sys
signed = functools.reduce(lambda node, key: node[key], sys.argv[2].split("."), json.load(open(sys.argv[1])))
payload = {k: v for k, v in signed.items() if k != "signature"}  # RFC 8785 = sorted keys, no spaces (ASCII, integers)
open("payload.bin", "wb").write(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
sig = base64.urlsafe_b64decode(signed["signature"] + "=" * (-len(signed["signature"]) % 4))  # IEEE P1363: r || s
open("sig.cnf", "w").write(f"asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x{sig[:32].hex()}\ns=INTEGER:0x{sig[32:].hex()}\n")
