namespace PeerDist.Discovery;

/// <summary>
/// The WS-Discovery <c>AppSequence</c> header of a ProbeMatch (MS-PCCRD 2.2.3.6, 2.2.3.7): which run of the responder
/// sent it and the how-manieth message of that run it is.
/// </summary>
/// <param name="InstanceId"><c>InstanceId</c>: set when the service starts and larger after every restart (Windows 7 uses the start time in seconds since 1970).</param>
/// <param name="MessageNumber"><c>MessageNumber</c>: 1 for the first message of the instance, then one more for every message sent.</param>
public readonly record struct PccrdAppSequence(uint InstanceId, uint MessageNumber);
