using System.Buffers;
using System.Diagnostics;
using PeerDist.Content;

namespace PeerDist.Publishing;

/// <content>Generation: one read of the content feeding the V1 and V2 builders, bounded and deduplicated.</content>
public sealed partial class ContentPublisher
{
    private async Task RunGenerationAsync(
        GenerationKey key,
        Generation generation,
        Func<CancellationToken, ValueTask<Stream>> openContent,
        Func<bool>? verifyUnchanged)
    {
        CancellationToken token = generation.Token;
        try
        {
            await _gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                // A generation that finished while this one queued (or before a racing lookup) already did the work.
                PublishedContent? stored = await _store.LoadAsync(key.ContentId, token).ConfigureAwait(false);
                PublishedContent content = stored is not null && stored.Validator == key.Validator
                    ? stored
                    : await GenerateAsync(key.ContentId, key.Validator, openContent, verifyUnchanged, disposeStream: true, token).ConfigureAwait(false);
                generation.SetResult(content);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            generation.SetCanceled(token);
        }
        catch (Exception ex)
        {
            generation.SetException(ex);
        }
        finally
        {
            _generations.TryRemove(new KeyValuePair<GenerationKey, Generation>(key, generation));
            generation.Dispose();
        }
    }

    private async Task<PublishedContent> GenerateAsync(
        string contentId,
        ContentValidator? validator,
        Func<CancellationToken, ValueTask<Stream>> openContent,
        Func<bool>? verifyUnchanged,
        bool disposeStream,
        CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        if (validator is { } expected)
        {
            ContentPublisherLog.GenerationStarted(_logger, contentId, expected);
        }

        try
        {
            Stream stream = await openContent(cancellationToken).ConfigureAwait(false);
            (ContentInformation v1, ContentInformation? v2, long length) hashed;
            try
            {
                hashed = await HashAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (disposeStream)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }

            ContentValidator actual = validator ?? new ContentValidator(hashed.length);
            if (hashed.length != actual.Length || (verifyUnchanged is not null && !verifyUnchanged()))
            {
                ThrowHelper.ThrowInvalidOperation(
                    $"The content of '{contentId}' changed while it was hashed ({hashed.length} bytes read, {actual.Length} expected); it was not published.");
            }

            var content = new PublishedContent(contentId, actual, hashed.v1, hashed.v2);
            await _store.SaveAsync(content, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _completed);
            Interlocked.Add(ref _bytesHashed, hashed.length);
            ContentPublisherLog.GenerationCompleted(_logger, contentId, hashed.length, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return content;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            ContentPublisherLog.GenerationCanceled(_logger, contentId);
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            ContentPublisherLog.GenerationFailed(_logger, contentId, ex);
            throw;
        }
    }

    /// <summary>One pass over the content, feeding the V1 and (optionally) V2 builders from the same buffer.</summary>
    private async Task<(ContentInformation V1, ContentInformation? V2, long Length)> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var v1 = new ContentInformationBuilder(_secret, new ContentInformationBuilderOptions
        {
            Version = ContentInformationVersion.V1,
            HashAlgorithm = _options.V1HashAlgorithm,
            MaxDegreeOfParallelism = _options.HashingParallelism,
        });
        using ContentInformationBuilder? v2 = _options.GenerateV2
            ? new ContentInformationBuilder(_secret, new ContentInformationBuilderOptions
            {
                Version = ContentInformationVersion.V2,
                MaxDegreeOfParallelism = _options.HashingParallelism,
            })
            : null;

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadLength);
        long length = 0;
        try
        {
            while (true)
            {
                int read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, ReadLength), ReadLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // Append(ReadOnlyMemory) hashes in place and returns when done, so the buffer can be refilled.
                ReadOnlyMemory<byte> chunk = buffer.AsMemory(0, read);
                v1.Append(chunk);
                v2?.Append(chunk);
                length += read;
                cancellationToken.ThrowIfCancellationRequested();
                if (read < ReadLength)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (length == 0)
        {
            ThrowHelper.ThrowInvalidOperation("Empty content cannot be published (MS-PCCRC 2.3: content information describes at least one byte).");
        }

        return (v1.Complete(), v2?.Complete(), length);
    }

    /// <summary>One running or queued generation: its result for every waiter, and its own cancellation.</summary>
    private sealed class Generation : IDisposable
    {
        private readonly TaskCompletionSource<PublishedContent> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _cancellation;

        public Generation(CancellationToken shutdown)
        {
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            Token = _cancellation.Token;

            // Nobody may be waiting (a background generation started by a request); observe the failure so it is
            // only logged, never reported as an unobserved task exception.
            _completion.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public Task<PublishedContent> Completion => _completion.Task;

        public CancellationToken Token { get; }

        public void SetResult(PublishedContent content) => _completion.TrySetResult(content);

        public void SetException(Exception exception) => _completion.TrySetException(exception);

        public void SetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);

        public async Task CancelAsync()
        {
            try
            {
                await _cancellation.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }

        public void Dispose() => _cancellation.Dispose();
    }
}
