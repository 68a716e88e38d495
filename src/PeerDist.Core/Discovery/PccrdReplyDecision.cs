namespace PeerDist.Discovery;

/// <summary>The branch of the reply-suppression rule that applies to a segment (<see cref="PccrdReplySuppression.Classify"/>).</summary>
public enum PccrdReplyDecision
{
    /// <summary>Fewer than n replies were seen: always answer.</summary>
    Answer,

    /// <summary>At least n replies, at least n of them full: never answer.</summary>
    Suppress,

    /// <summary>At least n replies but fewer than n full ones: answer with probability p.</summary>
    AnswerWithProbability,
}
