using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.UnitTests.Audit;

public sealed class MerkleTreeTests
{
    // The Certificate Transparency reference entries and tree heads (RFC 6962/9162 test vectors).
    private static readonly byte[][] Reference =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    private static readonly string[] ReferenceRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static List<byte[]> Entries(int n) => [.. Enumerable.Range(0, n).Select(i => new[] { (byte)i, (byte)(i * 7), (byte)(i >> 8) })];

    [Fact]
    public void roots_match_the_reference_tree_heads_for_every_size()
    {
        for (var n = 0; n <= Reference.Length; n++)
        {
            Assert.Equal(ReferenceRoots[n], Hex(MerkleTree.Root(Reference[..n])));
        }
    }

    [Fact]
    public void the_split_point_is_the_largest_power_of_two_below_n()
    {
        Assert.Equal(1, MerkleTree.SplitPoint(2));
        Assert.Equal(2, MerkleTree.SplitPoint(3));
        Assert.Equal(2, MerkleTree.SplitPoint(4));
        Assert.Equal(4, MerkleTree.SplitPoint(5));
        Assert.Equal(4, MerkleTree.SplitPoint(8));
        Assert.Equal(8, MerkleTree.SplitPoint(9));
        Assert.Equal(512, MerkleTree.SplitPoint(1000));
        Assert.Equal(1L << 39, MerkleTree.SplitPoint(1L << 40));
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(0, 1, "")]
    public void inclusion_proofs_match_the_reference(long index, long size, string expected)
    {
        var tree = new InMemorySubtrees(Reference[..(int)size]);
        var proof = MerkleTree.InclusionProof(index, size, tree.Hash);
        Assert.Equal(expected, string.Join(',', proof.Select(Hex)));
        Assert.True(MerkleTree.VerifyInclusion(index, size, MerkleTree.LeafHash(Reference[index]), proof, Convert.FromHexString(ReferenceRoots[size])));
    }

    [Theory]
    [InlineData(2, 8, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    [InlineData(1, 1, "")]
    [InlineData(0, 8, "")]
    public void consistency_proofs_match_the_reference(long first, long second, string expected)
    {
        var tree = new InMemorySubtrees(Reference[..(int)second]);
        var proof = MerkleTree.ConsistencyProof(first, second, tree.Hash);
        Assert.Equal(expected, string.Join(',', proof.Select(Hex)));
        Assert.True(MerkleTree.VerifyConsistency(first, second, Convert.FromHexString(ReferenceRoots[first]), Convert.FromHexString(ReferenceRoots[second]), proof));
    }

    [Fact]
    public void edge_cases_of_the_verification_algorithms()
    {
        var tree = new InMemorySubtrees(Reference);
        var root8 = Convert.FromHexString(ReferenceRoots[8]);
        var root4 = Convert.FromHexString(ReferenceRoots[4]);
        var leaf0 = MerkleTree.LeafHash(Reference[0]);

        // A one-leaf tree: the root is the leaf hash and the path is empty.
        Assert.True(MerkleTree.VerifyInclusion(0, 1, leaf0, [], leaf0));
        // Index out of range, size 0, negative index.
        Assert.False(MerkleTree.VerifyInclusion(8, 8, leaf0, MerkleTree.InclusionProof(0, 8, tree.Hash), root8));
        Assert.False(MerkleTree.VerifyInclusion(0, 0, leaf0, [], MerkleTree.EmptyRoot));
        Assert.False(MerkleTree.VerifyInclusion(-1, 8, leaf0, MerkleTree.InclusionProof(0, 8, tree.Hash), root8));
        // A path too long (sn reaches 0 early) or too short.
        var path = MerkleTree.InclusionProof(0, 8, tree.Hash);
        Assert.False(MerkleTree.VerifyInclusion(0, 8, leaf0, [.. path, path[0]], root8));
        Assert.False(MerkleTree.VerifyInclusion(0, 8, leaf0, path[..2], root8));

        // Consistency: n → n only with an empty proof and equal roots; 0 → n only with an empty proof;
        // m > n never; m < n never with an empty proof.
        Assert.True(MerkleTree.VerifyConsistency(8, 8, root8, root8, []));
        Assert.False(MerkleTree.VerifyConsistency(8, 8, root8, root4, []));
        Assert.False(MerkleTree.VerifyConsistency(8, 8, root8, root8, [root8]));
        Assert.True(MerkleTree.VerifyConsistency(0, 8, MerkleTree.EmptyRoot, root8, []));
        Assert.False(MerkleTree.VerifyConsistency(0, 8, MerkleTree.EmptyRoot, root8, [root8]));
        Assert.False(MerkleTree.VerifyConsistency(8, 4, root8, root4, []));
        Assert.False(MerkleTree.VerifyConsistency(4, 8, root4, root8, []));
        // A power-of-two first size: its root is implicit, the proof does not repeat it.
        var proof48 = MerkleTree.ConsistencyProof(4, 8, tree.Hash);
        Assert.Single(proof48);
        Assert.True(MerkleTree.VerifyConsistency(4, 8, root4, root8, proof48));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(8, 8, tree.Hash));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProof(9, 8, tree.Hash));
    }

    [Fact]
    public void every_inclusion_proof_up_to_size_70_verifies_and_every_tampering_fails()
    {
        const int max = 70;
        var entries = Entries(max);
        var tree = new InMemorySubtrees(entries);
        for (var n = 1; n <= max; n++)
        {
            var root = MerkleTree.Root(n, tree.Hash);
            Assert.Equal(root, MerkleTree.Root(entries[..n]));
            for (var m = 0; m < n; m++)
            {
                var leaf = MerkleTree.LeafHash(entries[m]);
                var proof = MerkleTree.InclusionProof(m, n, tree.Hash);
                Assert.True(MerkleTree.VerifyInclusion(m, n, leaf, proof, root), $"leaf {m} of {n}");

                Assert.False(MerkleTree.VerifyInclusion(m, n, MerkleTree.LeafHash([0xff, 0xfe]), proof, root), $"wrong leaf {m} of {n}");
                Assert.False(MerkleTree.VerifyInclusion(m, n, leaf, proof, MerkleTree.LeafHash([1])), $"wrong root {m} of {n}");
                if (n > 1)
                {
                    Assert.False(MerkleTree.VerifyInclusion((m + 1) % n, n, leaf, proof, root), $"wrong index {m} of {n}");
                    Assert.False(MerkleTree.VerifyInclusion(m, n, leaf, proof[..^1], root), $"short path {m} of {n}");
                }

                Assert.False(MerkleTree.VerifyInclusion(m, n, leaf, [.. proof, root], root), $"long path {m} of {n}");
                for (var i = 0; i < proof.Count; i++)
                {
                    var bad = proof.Select(p => (byte[])p.Clone()).ToList();
                    bad[i][i % 32] ^= 0x01;
                    Assert.False(MerkleTree.VerifyInclusion(m, n, leaf, bad, root), $"flipped element {i}, leaf {m} of {n}");
                }
            }
        }
    }

    [Fact]
    public void every_consistency_proof_up_to_size_70_verifies_and_every_tampering_fails()
    {
        const int max = 70;
        var entries = Entries(max);
        var tree = new InMemorySubtrees(entries);
        var roots = Enumerable.Range(0, max + 1).Select(n => MerkleTree.Root(n, tree.Hash)).ToArray();
        for (var n = 1; n <= max; n++)
        {
            for (var m = 0; m <= n; m++)
            {
                var proof = MerkleTree.ConsistencyProof(m, n, tree.Hash);
                Assert.True(MerkleTree.VerifyConsistency(m, n, roots[m], roots[n], proof), $"{m} -> {n}");
                if (m == 0 || m == n)
                {
                    Assert.Empty(proof);
                    continue;
                }

                Assert.False(MerkleTree.VerifyConsistency(m, n, roots[m], roots[n - 1], proof), $"wrong second root {m} -> {n}");
                Assert.False(MerkleTree.VerifyConsistency(m, n, roots[m - 1], roots[n], proof), $"wrong first root {m} -> {n}");
                Assert.False(MerkleTree.VerifyConsistency(m, n, roots[m], roots[n], proof[..^1]), $"short proof {m} -> {n}");
                Assert.False(MerkleTree.VerifyConsistency(m, n, roots[m], roots[n], [.. proof, roots[n]]), $"long proof {m} -> {n}");
                if (n < max)
                {
                    Assert.False(MerkleTree.VerifyConsistency(m, n + 1, roots[m], roots[n + 1], proof), $"proof for another size {m} -> {n}");
                }

                for (var i = 0; i < proof.Count; i++)
                {
                    var bad = proof.Select(p => (byte[])p.Clone()).ToList();
                    bad[i][31 - (i % 32)] ^= 0x80;
                    Assert.False(MerkleTree.VerifyConsistency(m, n, roots[m], roots[n], bad), $"flipped element {i}, {m} -> {n}");
                }
            }
        }
    }

    [Fact]
    public void the_frontier_builds_the_same_roots_and_subtrees_and_resumes_from_stored_nodes()
    {
        var entries = Entries(70);
        var tree = new InMemorySubtrees(entries);
        var frontier = new MerkleFrontier();
        Assert.Equal(MerkleTree.EmptyRoot, frontier.Root());
        var stored = new Dictionary<SubtreeNode, byte[]>();
        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var (node, hash) in frontier.Append(entries[i]))
            {
                Assert.Equal(tree.Hash(node.Level, node.Index), hash);
                Assert.True(stored.TryAdd(node, hash), $"subtree {node} reported twice");
            }

            Assert.Equal(MerkleTree.Root(i + 1, tree.Hash), frontier.Root());

            // Resume a tree of this size from the stored frontier nodes and continue: same roots.
            var size = i + 1;
            var resumed = new MerkleFrontier(size, [.. MerkleTree.Frontier(size).Select(n => stored[n])]);
            Assert.Equal(frontier.Root(), resumed.Root());
            if (size < entries.Count)
            {
                resumed.Append(entries[size]);
                Assert.Equal(MerkleTree.Root(size + 1, tree.Hash), resumed.Root());
            }
        }

        // Every complete subtree exists exactly once: 2n - popcount(n) nodes.
        Assert.Equal((2 * 70) - 3, stored.Count);
    }

    [Fact]
    public void proofs_read_only_logarithmically_many_stored_subtrees()
    {
        const long size = 1_000_003;
        var inclusion = MerkleTree.NodesRead(nodes => MerkleTree.InclusionProof(123_456, size, nodes));
        var consistency = MerkleTree.NodesRead(nodes => MerkleTree.ConsistencyProof(654_321, size, nodes));
        var root = MerkleTree.NodesRead(nodes => MerkleTree.Root(size, nodes));
        Assert.InRange(inclusion.Count, 1, 2 * 21 * 2);
        Assert.InRange(consistency.Count, 1, 2 * 21 * 2);
        Assert.Equal(MerkleTree.Frontier(size).Count, root.Count);
        Assert.All(inclusion.Concat(consistency), n => Assert.True(n.FirstLeaf + n.Size <= size, $"{n} is not inside the tree"));
    }
}
