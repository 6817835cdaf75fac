using System.Numerics;
using System.Security.Cryptography;

namespace ForecastLedger.Audit;

/// <summary>
/// The hash of a complete, aligned subtree: the <c>2^level</c> leaves from <c>index × 2^level</c>. Level 0 is a leaf
/// hash (<see cref="MerkleTree.LeafHash"/>). Proof construction only ever asks for such subtrees, so a store that keeps
/// them answers any proof in O(log n) reads.
/// </summary>
public delegate byte[] SubtreeHashes(int level, long index);

/// <summary>A complete, aligned subtree: <c>2^Level</c> leaves starting at leaf <c>Index × 2^Level</c>.</summary>
public readonly record struct SubtreeNode(int Level, long Index)
{
    /// <summary>The first leaf the subtree covers.</summary>
    public long FirstLeaf => Index << Level;

    /// <summary>How many leaves it covers.</summary>
    public long Size => 1L << Level;
}

/// <summary>
/// RFC 9162 §2.1 Merkle trees: the tree head, inclusion proofs (audit paths), consistency proofs, and the RFC's
/// verification algorithms (§2.1.3.2, §2.1.4.2). Pure: no I/O, so the server and the offline verifier run the same code.
/// Leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), empty tree = SHA-256("").
/// </summary>
public static class MerkleTree
{
    /// <summary>The root of the empty tree: SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot => SHA256.HashData([]);

    /// <summary>SHA-256(0x00 ‖ entry).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        var input = new byte[entry.Length + 1];
        entry.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + left.Length + right.Length];
        input[0] = 1;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + left.Length)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two strictly less than <paramref name="n"/> (n &gt; 1): RFC 9162's split point k.</summary>
    public static long SplitPoint(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }

    /// <summary>MTH over entries held in memory (the RFC's recursive definition, for small inputs and tests).</summary>
    public static byte[] Root(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return Root(entries.Count, new InMemorySubtrees(entries).Hash);
    }

    /// <summary>MTH(D[0:size]) from complete-subtree hashes.</summary>
    public static byte[] Root(long size, SubtreeHashes nodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size == 0 ? EmptyRoot : RangeHash(0, size, nodes);
    }

    /// <summary>
    /// MTH(D[start:end]) for a range that is a subtree of RFC 9162's recursion: <paramref name="start"/> is a multiple of
    /// the smallest power of two not below <c>end - start</c> (or 0). Composed right to left from the complete subtrees
    /// of the range's binary decomposition.
    /// </summary>
    public static byte[] RangeHash(long start, long end, SubtreeHashes nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (end <= start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "A subtree needs at least one leaf.");
        }

        var parts = Decompose(start, end);
        var acc = nodes(parts[^1].Level, parts[^1].Index);
        for (var i = parts.Count - 2; i >= 0; i--)
        {
            acc = NodeHash(nodes(parts[i].Level, parts[i].Index), acc);
        }

        return acc;
    }

    /// <summary>The complete subtrees of [start, end), largest first, as RFC 9162's recursion splits the range.</summary>
    public static List<SubtreeNode> Decompose(long start, long end)
    {
        var parts = new List<SubtreeNode>();
        var at = start;
        while (at < end)
        {
            var size = end - at;
            var level = 63 - BitOperations.LeadingZeroCount((ulong)size);
            // Keep the piece aligned: a range inside the recursion always is, but never emit an unaligned node.
            while (level > 0 && at % (1L << level) != 0)
            {
                level--;
            }

            parts.Add(new SubtreeNode(level, at >> level));
            at += 1L << level;
        }

        return parts;
    }

    /// <summary>The complete subtrees covering the first <paramref name="size"/> leaves: the frontier of a tree of that size.</summary>
    public static List<SubtreeNode> Frontier(long size) => size == 0 ? [] : Decompose(0, size);

    /// <summary>PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf <paramref name="index"/> in a tree of <paramref name="size"/>.</summary>
    public static List<byte[]> InclusionProof(long index, long size, SubtreeHashes nodes)
    {
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Leaf {index} is not in a tree of size {size}.");
        }

        var proof = new List<byte[]>();
        Path(index, 0, size, nodes, proof);
        return proof;
    }

    /// <summary>PROOF(m, D[n]) of RFC 9162 §2.1.4.1. Empty when m is 0 or m equals n.</summary>
    public static List<byte[]> ConsistencyProof(long first, long second, SubtreeHashes nodes)
    {
        if (first < 0 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"No consistency proof from size {first} to size {second}.");
        }

        var proof = new List<byte[]>();
        if (first > 0 && first < second)
        {
            SubProof(first, 0, second, true, nodes, proof);
        }

        return proof;
    }

    /// <summary>
    /// The complete subtrees a proof or root reads, so a store can fetch them in one round trip before computing it.
    /// The nodes an algorithm asks for depend only on the sizes, never on the hashes.
    /// </summary>
    public static HashSet<SubtreeNode> NodesRead(Action<SubtreeHashes> algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        var read = new HashSet<SubtreeNode>();
        algorithm((level, index) =>
        {
            read.Add(new SubtreeNode(level, index));
            return new byte[32];
        });
        return read;
    }

    private static void Path(long m, long start, long n, SubtreeHashes nodes, List<byte[]> proof)
    {
        if (n == 1)
        {
            return;
        }

        var k = SplitPoint(n);
        if (m < k)
        {
            Path(m, start, k, nodes, proof);
            proof.Add(RangeHash(start + k, start + n, nodes));
        }
        else
        {
            Path(m - k, start + k, n - k, nodes, proof);
            proof.Add(RangeHash(start, start + k, nodes));
        }
    }

    private static void SubProof(long m, long start, long n, bool whole, SubtreeHashes nodes, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!whole)
            {
                proof.Add(RangeHash(start, start + n, nodes));
            }

            return;
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, k, whole, nodes, proof);
            proof.Add(RangeHash(start + k, start + n, nodes));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, nodes, proof);
            proof.Add(RangeHash(start, start + k, nodes));
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="path"/> prove that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree with <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size)
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: does <paramref name="path"/> prove that the tree of size <paramref name="first"/> with
    /// <paramref name="firstRoot"/> is a prefix of the tree of size <paramref name="second"/> with <paramref name="secondRoot"/>?
    /// Sizes 0 → n and n → n, which the RFC leaves out, hold exactly when the proof is empty (and, for n → n, the roots are equal).
    /// </summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (first < 0 || first > second)
        {
            return false;
        }

        if (first == 0)
        {
            return path.Count == 0;
        }

        if (first == second)
        {
            return path.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (path.Count == 0)
        {
            return false;
        }

        var proof = new List<byte[]>(path.Count + 1);
        if ((first & (first - 1)) == 0)
        {
            proof.Add(firstRoot.ToArray());
        }

        proof.AddRange(path);
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = proof[0];
        var sr = proof[0];
        for (var i = 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot) && sn == 0;
    }
}

/// <summary>Every complete subtree of a list of entries held in memory: for tests, small trees and offline checks.</summary>
public sealed class InMemorySubtrees
{
    private readonly List<byte[][]> _levels = [];

    /// <summary>Hashes the entries into leaves and every complete subtree above them.</summary>
    public InMemorySubtrees(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var level = entries.Select(e => MerkleTree.LeafHash(e)).ToArray();
        _levels.Add(level);
        while (level.Length > 1)
        {
            var next = new byte[level.Length / 2][];
            for (var i = 0; i < next.Length; i++)
            {
                next[i] = MerkleTree.NodeHash(level[2 * i], level[(2 * i) + 1]);
            }

            _levels.Add(next);
            level = next;
        }
    }

    /// <summary>The <see cref="SubtreeHashes"/> view.</summary>
    public byte[] Hash(int level, long index) =>
        level < _levels.Count && index < _levels[level].Length
            ? _levels[level][index]
            : throw new ArgumentOutOfRangeException(nameof(index), $"No complete subtree ({level}, {index}).");
}

/// <summary>
/// Builds a tree leaf by leaf in O(log n) memory (a compact range from leaf 0): what the checkpointer and the streaming
/// verifiers keep while they read the ledger in seq order. Each append reports the complete subtrees it finished.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<(int Level, byte[] Hash)> _stack = [];

    /// <summary>An empty tree.</summary>
    public MerkleFrontier()
    {
    }

    /// <summary>Resumes a tree of <paramref name="size"/> leaves from the hashes of <see cref="MerkleTree.Frontier"/>(size), largest first.</summary>
    public MerkleFrontier(long size, IReadOnlyList<byte[]> frontierHashes)
    {
        ArgumentNullException.ThrowIfNull(frontierHashes);
        var nodes = MerkleTree.Frontier(size);
        if (nodes.Count != frontierHashes.Count)
        {
            throw new ArgumentException($"A tree of size {size} has {nodes.Count} frontier nodes, not {frontierHashes.Count}.", nameof(frontierHashes));
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            _stack.Add((nodes[i].Level, frontierHashes[i]));
        }

        Size = size;
    }

    /// <summary>How many leaves the tree has.</summary>
    public long Size { get; private set; }

    /// <summary>Appends an entry (the leaf is SHA-256(0x00 ‖ entry)); returns the complete subtrees it finished, leaf first.</summary>
    public List<(SubtreeNode Node, byte[] Hash)> Append(ReadOnlySpan<byte> entry)
    {
        var index = Size;
        var hash = MerkleTree.LeafHash(entry);
        var finished = new List<(SubtreeNode, byte[])> { (new SubtreeNode(0, index), hash) };
        var level = 0;
        while (((index >> level) & 1) == 1)
        {
            var (_, left) = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            hash = MerkleTree.NodeHash(left, hash);
            level++;
            finished.Add((new SubtreeNode(level, index >> level), hash));
        }

        _stack.Add((level, hash));
        Size++;
        return finished;
    }

    /// <summary>MTH of the leaves so far.</summary>
    public byte[] Root()
    {
        if (_stack.Count == 0)
        {
            return MerkleTree.EmptyRoot;
        }

        var acc = _stack[^1].Hash;
        for (var i = _stack.Count - 2; i >= 0; i--)
        {
            acc = MerkleTree.NodeHash(_stack[i].Hash, acc);
        }

        return acc;
    }
}
