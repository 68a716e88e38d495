using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.CompilerServices;

namespace PeerDist.Transport.Http;

/// <summary>Every throw of the HTTP transport goes through here, so messages are built in one place.</summary>
internal static class HttpThrowHelper
{
    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static PeerDistHttpException Create(PeerDistHttpError error, EndPoint endPoint, int statusCode = 0, Exception? inner = null) =>
        new(error, endPoint, statusCode, GetMessage(error, endPoint, statusCode), inner);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(PeerDistHttpError error, EndPoint endPoint, int statusCode = 0, Exception? inner = null) =>
        throw Create(error, endPoint, statusCode, inner);

    private static string GetMessage(PeerDistHttpError error, EndPoint endPoint, int statusCode) => error switch
    {
        PeerDistHttpError.ConnectFailed => $"Could not connect to {endPoint}.",
        PeerDistHttpError.ConnectTimeout => $"Connecting to {endPoint} timed out.",
        PeerDistHttpError.RequestTimeout => $"The request to {endPoint} timed out.",
        PeerDistHttpError.ConnectionClosed => $"{endPoint} closed the connection before the response was complete.",
        PeerDistHttpError.UnexpectedStatus => $"{endPoint} answered with HTTP status {statusCode}.",
        PeerDistHttpError.ResponseTooLarge => $"The response from {endPoint} is larger than the configured limit.",
        PeerDistHttpError.MalformedResponse => $"The response from {endPoint} is not valid HTTP/1.1.",
        _ => $"HTTP transport error {error} with {endPoint}.",
    };
}
