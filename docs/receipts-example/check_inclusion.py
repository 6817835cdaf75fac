# Checks that the receipted event is a leaf of the signed checkpoint in the verify answer (hashlib only).
import hashlib, json
receipt = json.load(open("forecast.json"))["receipt"]
answer = json.load(open("verify.json"))            # GET /api/audit/receipts/verify, status "included"
proof = answer["proof"]
h = lambda *parts: hashlib.sha256(b"".join(parts)).digest()
entry = h(bytes.fromhex(answer["prevHash"]), receipt["streamVersion"].to_bytes(8, "big"), bytes.fromhex(receipt["contentHash"]))
node, fn, sn = h(b"\x00", entry), proof["leafIndex"], proof["treeSize"] - 1
for sibling in map(bytes.fromhex, proof["path"]):  # RFC 9162 section 2.1.3.2
    if fn % 2 == 1 or fn == sn:
        node = h(b"\x01", sibling, node)
        while fn % 2 == 0 and fn != 0:
            fn, sn = fn >> 1, sn >> 1
    else:
        node = h(b"\x01", node, sibling)
    fn, sn = fn >> 1, sn >> 1
assert sn == 0 and node.hex() == proof["checkpoint"]["rootHash"], "NOT included"
print(f"included: leaf {proof['leafIndex']} of signed checkpoint {proof['treeSize']}, root {node.hex()}")
