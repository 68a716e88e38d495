namespace PeerDist.Discovery;

/// <summary>
/// The Windows 7 / 2008 R2 reply-suppression rule (MS-PCCRD product behaviour note &lt;8&gt;, wire.md §2.5). When this node
/// downloaded a segment it counted the ProbeMatches it got for it and how many of them offered the full segment. Later,
/// asked for that segment: with fewer than n replies it always answers; with at least n replies of which at least n were
/// full it never answers (enough others hold it); otherwise it answers with probability p. Windows uses n = 10, p = 0.33.
/// </summary>
/// <remarks>
/// The random source is injected so that tests are deterministic. Not thread-safe when the injected <see cref="Random"/> is
/// not (<see cref="Random.Shared"/> is).
/// </remarks>
public sealed class PccrdReplySuppression
{
    /// <summary>The default threshold n: 10.</summary>
    public const int DefaultThreshold = 10;

    /// <summary>The default probability p of answering: 0.33.</summary>
    public const double DefaultProbability = 0.33;

    private readonly Random _random;

    /// <summary>Creates the rule.</summary>
    /// <param name="threshold">n, at least 1.</param>
    /// <param name="probability">p, from 0 to 1.</param>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public PccrdReplySuppression(int threshold = DefaultThreshold, double probability = DefaultProbability, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        if (!(probability is >= 0 and <= 1))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(probability), "The probability is from 0 to 1.");
        }

        Threshold = threshold;
        Probability = probability;
        _random = random ?? Random.Shared;
    }

    /// <summary>n: the number of replies (and of full-segment replies) from which suppression starts.</summary>
    public int Threshold { get; }

    /// <summary>p: the probability of answering when there were n replies but fewer than n full ones.</summary>
    public double Probability { get; }

    /// <summary>Which branch of the rule applies, without drawing a random number.</summary>
    /// <param name="replies">The ProbeMatches this node received for the segment when it downloaded it.</param>
    /// <param name="fullSegmentReplies">How many of them offered the full segment.</param>
    public PccrdReplyDecision Classify(int replies, int fullSegmentReplies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replies);
        ArgumentOutOfRangeException.ThrowIfNegative(fullSegmentReplies);
        if (replies < Threshold)
        {
            return PccrdReplyDecision.Answer;
        }

        return fullSegmentReplies >= Threshold ? PccrdReplyDecision.Suppress : PccrdReplyDecision.AnswerWithProbability;
    }

    /// <summary>Whether to answer a Probe for the segment; draws one random number only in the probabilistic branch.</summary>
    /// <param name="replies">The ProbeMatches this node received for the segment when it downloaded it.</param>
    /// <param name="fullSegmentReplies">How many of them offered the full segment.</param>
    public bool ShouldAnswer(int replies, int fullSegmentReplies) => Classify(replies, fullSegmentReplies) switch
    {
        PccrdReplyDecision.Answer => true,
        PccrdReplyDecision.Suppress => false,
        _ => _random.NextDouble() < Probability,
    };
}
