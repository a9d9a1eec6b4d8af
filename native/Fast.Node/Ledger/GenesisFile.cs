using Fast.Core.Codec;
using Fast.Core.Genesis;
using Fast.Core.Primitives;

namespace Fast.Node.Ledger;

/// <summary>A genesis.bin read from disk and checked: the config, its bytes, its hash, its shred version.</summary>
public sealed record GenesisFile(GenesisConfig Config, byte[] Bytes, Hash Hash)
{
    public ushort ShredVersion => GenesisConfig.ComputeShredVersion(Hash);

    /// <summary>Loads and decodes; a one-line message (never an exception) when the file is missing or malformed.</summary>
    public static bool TryLoad(string path, out GenesisFile? genesis, out string error)
    {
        genesis = null;
        error = string.Empty;
        byte[] bytes;
        try
        {
            FileInfo info = new(path);
            if (!info.Exists)
            {
                error = $"{path}: no such file";
                return false;
            }
            if (info.Length > GenesisConfig.MaxFileBytes)
            {
                error = $"{path}: larger than {GenesisConfig.MaxFileBytes} bytes, not a genesis file";
                return false;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: {e.Message}";
            return false;
        }
        DecodeResult result = GenesisConfig.TryDecode(bytes, out GenesisConfig? config);
        if (!result.IsOk)
        {
            error = $"{path}: not a valid genesis file ({result})";
            return false;
        }
        genesis = new GenesisFile(config!, bytes, GenesisConfig.ComputeHash(bytes));
        return true;
    }
}
