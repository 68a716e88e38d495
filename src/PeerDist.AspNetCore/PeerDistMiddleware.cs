using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PeerDist.Content;

namespace PeerDist.AspNetCore;

/// <summary>
/// The MS-PCCRTP content-server middleware (<c>app.UsePeerDist()</c>). Requests that do not speak PeerDist pass
/// straight through. For one that asks for peerdist with valid headers, the response body is wrapped so that a file
/// response may be replaced by its content information (see <see cref="PeerDistExchange"/>).
/// </summary>
/// <remarks>
/// A HEAD request that asks for peerdist runs as a GET inside (the static file middleware answers HEAD without
/// sending the file, which would hide it from us) and every body byte is dropped, so it gets exactly the headers the
/// GET would get. Kestrel keeps its own record of the HEAD method and never sends a body for it either.
/// </remarks>
internal sealed class PeerDistMiddleware(RequestDelegate next, PeerDistOrigin origin)
{
    private readonly ContentInformationVersion _highest = origin.Options.MaxContentInformationVersion;

    public async Task InvokeAsync(HttpContext context)
    {
        PeerDistRequest? request = PeerDistRequest.Negotiate(context.Request, _highest, out PlainReason? reason);
        if (request is null)
        {
            if (reason == PlainReason.MissingDataRequest)
            {
                origin.CountMissingData();
            }
            else if (reason is { } plain)
            {
                origin.CountPlain(plain);
            }

            await next(context).ConfigureAwait(false);
            return;
        }

        IHttpResponseBodyFeature inner = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var exchange = new PeerDistExchange(origin, context, request, inner);
        await using (exchange.ConfigureAwait(false))
        {
            var feature = new PeerDistResponseBodyFeature(inner, exchange, discardBody: request.IsHead);
            context.Features.Set<IHttpResponseBodyFeature>(feature);
            string method = context.Request.Method;
            if (request.IsHead)
            {
                context.Request.Method = HttpMethods.Get;
            }

            bool succeeded = false;
            try
            {
                await next(context).ConfigureAwait(false);
                await feature.FlushWriterAsync().ConfigureAwait(false);
                succeeded = true;
            }
            finally
            {
                context.Features.Set(inner);
                context.Request.Method = method;
                await exchange.FinishAsync(succeeded && !context.RequestAborted.IsCancellationRequested).ConfigureAwait(false);
            }

            if (!exchange.Answered)
            {
                origin.CountPlain(exchange.Reason ?? PlainReason.NotEligible);
            }
        }
    }
}
