namespace KafkaSharp.Protocol.Messages;

/// <summary>Which response header version goes with which response (the rest of the class is generated).</summary>
public sealed partial class ResponseHeader
{
    /// <summary>
    /// The header version of a response: 1 (with tagged fields) when the API version is flexible,
    /// otherwise 0. ApiVersions responses always use v0, even in flexible versions, so a client
    /// that does not yet know the broker's versions can parse them.
    /// Throws ArgumentOutOfRangeException for an unknown key (see MessageFactory.IsKnown).
    /// </summary>
    public static short HeaderVersion(ApiKey apiKey, short apiVersion)
    {
        if (apiKey == ApiKey.ApiVersions)
        {
            return 0;
        }
        return MessageFactory.IsFlexible(apiKey, apiVersion) ? (short)1 : (short)0;
    }
}
