using System.CommandLine;
using System.Text;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist inspect CI</c>: shows what a content information says and, with <c>--content</c>, checks a file against it.
/// </summary>
internal static class InspectCommand
{
    public const string Name = "inspect";

    public static Command Create(CliConsole console)
    {
        var ci = new Argument<string>("CI")
        {
            Description = "The content information file (V1 or V2); - reads standard input.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document instead of text (schema in docs/cli.md).",
        };
        var showSecrets = new Option<bool>("--show-secrets")
        {
            Description = "Also print each segment secret (Kp). Whoever holds Kp can decrypt the segment's blocks.",
        };
        var content = new Option<string>("--content")
        {
            Description = "Check this file against the content information: every block hash and hash of data, and with a server secret every segment secret.",
            HelpName = "FILE",
        };
        var secrets = new SecretOptions();

        var command = new Command(Name, "Show the header, range and segments of a content information, and optionally verify content against it.")
        {
            ci,
            json,
            showSecrets,
            content,
        };
        secrets.AddTo(command);

        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string ciPath = result.GetRequiredValue(ci);
            string? contentPath = result.GetValue(content);
            SecretSource? source = secrets.Validate(result);
            if (source is not null && contentPath is null)
            {
                throw CliException.Usage("a server secret is only used with --content");
            }

            if (ciPath == InputFiles.StandardStream && contentPath == InputFiles.StandardStream)
            {
                throw CliException.Usage("the content information and --content cannot both be standard input");
            }

            ServerSecret? secret = source is null ? null : await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            using (secret)
            {
                byte[] bytes = await InputFiles.ReadAllBytesAsync(console, ciPath, "content information", cancellationToken).ConfigureAwait(false);
                ContentInformation info;
                try
                {
                    info = ContentInformation.Parse(bytes);
                }
                catch (PeerDistFormatException e)
                {
                    throw CliException.BadInput($"'{ciPath}': {e.Message}");
                }

                Verification? verification = null;
                if (contentPath is not null)
                {
                    ContentVerificationResult verified = await VerifyAsync(console, info, contentPath, secret, cancellationToken).ConfigureAwait(false);
                    verification = new Verification(contentPath, verified);
                }

                var report = new InspectReport(info, result.GetValue(showSecrets), verification);
                if (result.GetValue(json))
                {
                    await InspectJsonWriter.WriteAsync(report, console.Out, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var text = new StreamWriter(console.Out, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
                    await using (text.ConfigureAwait(false))
                    {
                        InspectTextWriter.Write(report, text);
                        await text.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                if (verification is { Result.IsMatch: false } failed)
                {
                    ContentMismatch first = failed.Result.Mismatches[0];
                    int count = failed.Result.Mismatches.Count;
                    throw CliException.BadInput(
                        $"'{contentPath}' does not match the content information: {count} mismatch{(count == 1 ? string.Empty : "es")}, first {first}");
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static async Task<ContentVerificationResult> VerifyAsync(
        CliConsole console,
        ContentInformation info,
        string path,
        ServerSecret? secret,
        CancellationToken cancellationToken)
    {
        Stream content = InputFiles.OpenRead(console, path, "content", out long length);
        await using (content.ConfigureAwait(false))
        {
            using ProgressBar? progress = ProgressBar.CreateIfUseful(console, "verifying", length);
            try
            {
                return await ContentInformationVerifier.VerifyAsync(info, content, secret, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw InputFiles.Describe(path, "content", e);
            }
        }
    }
}
