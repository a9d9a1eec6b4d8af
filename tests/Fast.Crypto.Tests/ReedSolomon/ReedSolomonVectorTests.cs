using System.Text.Json;
using Fast.Crypto.ReedSolomon;
using Fast.Testing;
using Xunit;

namespace Fast.Crypto.Tests.ReedSolomon;

/// <summary>The shred code against the official vectors in ../shared/vectors/reedsolomon (Firedancer's tables, rust-rse and klauspost cases).</summary>
public class ReedSolomonVectorTests
{
    private const string Folder = "reedsolomon";

    public static TheoryData<ReedSolomonKernel> Kernels()
    {
        TheoryData<ReedSolomonKernel> kernels = [];
        foreach (ReedSolomonKernel kernel in new[] { ReedSolomonKernel.Scalar, ReedSolomonKernel.Avx2, ReedSolomonKernel.Avx512, ReedSolomonKernel.Gfni })
        {
            if (ReedSolomonCode.IsSupported(kernel)) kernels.Add(kernel);
        }
        return kernels;
    }

    private static byte[] GenericConstants() => File.ReadAllBytes(Vectors.File(Folder, "firedancer_generic_constants.bin"));

    [VectorFact(Folder)]
    public void The_32x32_parity_matrix_is_Firedancers_generic_constants_matrix_byte_for_byte()
    {
        byte[] constants = GenericConstants();
        Assert.Equal(2560, constants.Length);
        Assert.Equal(constants.AsSpan(1536, 1024).ToArray(), ReedSolomonCode.Shreds32.ParityMatrix.ToArray());
        Assert.Equal(constants.AsSpan(1536, 1024).ToArray(), ReedSolomonCode.Create(32, 32).ParityMatrix.ToArray());
    }

    [VectorFact(Folder)]
    public void The_derived_hex_dump_holds_the_same_32_rows()
    {
        string[] rows = File.ReadAllLines(Vectors.File(Folder, "firedancer_matrix_32x32.derived.hex")).Where(l => !l.StartsWith('#') && l.Length > 0).ToArray();
        Assert.Equal(32, rows.Length);
        byte[] matrix = ReedSolomonCode.Shreds32.ParityMatrix.ToArray();
        for (int i = 0; i < 32; i++) Assert.Equal(Convert.FromHexString(rows[i]), matrix.AsSpan(i * 32, 32).ToArray());
    }

    [VectorFact(Folder)]
    public void The_field_log_and_antilog_tables_are_Firedancers()
    {
        byte[] constants = GenericConstants();
        for (int a = 1; a < 256; a++)
        {
            int log = BitConverter.ToInt16(constants, 2 * a);
            Assert.Equal((byte)a, GaloisField.Power(2, log));
            // Antilog table indexed [-512, 512): entry 512 + i = 2^i for i ≥ 0.
            Assert.Equal(constants[512 + 512 + log], (byte)a);
        }
        Assert.Equal(-256, BitConverter.ToInt16(constants, 0));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Encoding_unit_vectors_gives_the_matrix_as_parity_with_every_kernel(ReedSolomonKernel kernel)
    {
        if (Vectors.SkipReason(Folder) is not null) return;
        // Firedancer's test_reedsol: data shard j = e_j (32 bytes), so parity[i][j] = matrix[i][j].
        byte[] expected = GenericConstants().AsSpan(1536, 1024).ToArray();
        using var shards = new ReedSolomonShards(64, 32);
        for (int j = 0; j < 32; j++) shards.Shard(j)[j] = 1;
        ReedSolomonCode.Shreds32.Encode(shards.Pointers.AsSpan(0, 32), shards.Pointers.AsSpan(32), 32, kernel);
        Assert.Equal(expected, shards.Bytes.AsSpan(32 * 32).ToArray());
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Both_inline_library_cases_encode_to_their_expected_parity_and_recover(ReedSolomonKernel kernel)
    {
        if (Vectors.SkipReason(Folder) is not null) return;
        using var doc = JsonDocument.Parse(File.ReadAllText(Vectors.File(Folder, "inline_test_assertions.json")));
        int cases = 0;
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int k = c.GetProperty("data_shards").GetInt32(), m = c.GetProperty("parity_shards").GetInt32();
            byte[][] data = c.GetProperty("data").EnumerateArray().Select(Bytes).ToArray();
            byte[][] parity = c.GetProperty("expected_parity").EnumerateArray().Select(Bytes).ToArray();
            int size = data[0].Length;
            var code = ReedSolomonCode.Create(k, m);
            using var shards = new ReedSolomonShards(k + m, size);
            for (int j = 0; j < k; j++) data[j].CopyTo(shards.Shard(j));
            code.Encode(shards.Pointers.AsSpan(0, k), shards.Pointers.AsSpan(k), size, kernel);
            for (int i = 0; i < m; i++) Assert.Equal(parity[i], shards.Shard(k + i).ToArray());

            // Lose the first m shards (all data in the 2+2 case) and get them back.
            bool[] present = new bool[k + m];
            for (int i = m; i < k + m; i++) present[i] = true;
            for (int i = 0; i < m; i++) shards.Shard(i).Fill(0xEE);
            Assert.Equal(ReedSolomonStatus.Ok, code.Recover(shards.Pointers, present, size, kernel));
            for (int j = 0; j < k; j++) Assert.Equal(data[j], shards.Shard(j).ToArray());
            for (int i = 0; i < m; i++) Assert.Equal(parity[i], shards.Shard(k + i).ToArray());
            cases++;
        }
        Assert.Equal(2, cases);
    }

    private static byte[] Bytes(JsonElement array) => array.EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
}
