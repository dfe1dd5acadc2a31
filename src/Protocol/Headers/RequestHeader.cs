namespace KafkaSharp.Protocol.Messages;

/// <summary>Which request header version goes with which request (the rest of the class is generated).</summary>
public sealed partial class RequestHeader
{
    /// <summary>
    /// The header version of a request: 2 (with tagged fields) when the API version is flexible,
    /// otherwise 1, except ControlledShutdown v0, whose header is v0 (no client id).
    /// The key and version are the header's first two int16s, so a decoder peeks them first.
    /// Throws ArgumentOutOfRangeException for an unknown key (see MessageFactory.IsKnown).
    /// </summary>
    public static short HeaderVersion(ApiKey apiKey, short apiVersion)
    {
        if (MessageFactory.IsFlexible(apiKey, apiVersion))
        {
            return 2;
        }
        return apiKey == ApiKey.ControlledShutdown && apiVersion == 0 ? (short)0 : (short)1;
    }
}
