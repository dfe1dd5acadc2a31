namespace KafkaSharp.Broker.Config;

/// <summary>
/// A configuration the broker cannot start with. The message is one line meant for the operator,
/// so the program prints it without a stack trace and exits with code 1.
/// </summary>
public sealed class ConfigException(string message) : Exception(message);
