using Fast.Node.Cli;

// The `fast` executable: every command is defined in Cli/ and Bench/; this only hands over the process.
return FastCli.Run(args, Console.Out, Console.Error);
