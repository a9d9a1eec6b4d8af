namespace Fast.Node.Cli;

/// <summary>The exit codes every `fast` command uses, so scripts can tell outcomes apart.</summary>
public static class ExitCodes
{
    /// <summary>Success (for `verify`: the signature is valid).</summary>
    public const int Ok = 0;

    /// <summary>The input was well-formed but the answer is no (an invalid signature, a failed transaction).</summary>
    public const int Rejected = 1;

    /// <summary>Malformed input: a bad argument, unparsable hex/base58, a file that is not what it should be.</summary>
    public const int BadInput = 2;

    /// <summary>The environment failed us: I/O, permissions, a node that does not answer.</summary>
    public const int Failure = 3;

    /// <summary>A bug in fast itself (an unexpected exception); reported in one line, never a stack trace.</summary>
    public const int Internal = 70;
}
