using PeerDist.Discovery;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// The Windows 7 reply-suppression rule (wire.md §2.5): fewer than n replies, answer; at least n replies and at least n
/// full ones, stay silent; at least n replies but fewer full ones, answer with probability p. n = 10, p = 0.33.
/// </summary>
public class PccrdReplySuppressionTests
{
    [TestCase(0, 0, PccrdReplyDecision.Answer)]
    [TestCase(9, 9, PccrdReplyDecision.Answer)]
    [TestCase(9, 0, PccrdReplyDecision.Answer)]
    [TestCase(10, 10, PccrdReplyDecision.Suppress)]
    [TestCase(50, 10, PccrdReplyDecision.Suppress)]
    [TestCase(10, 9, PccrdReplyDecision.AnswerWithProbability)]
    [TestCase(50, 0, PccrdReplyDecision.AnswerWithProbability)]
    public void Classify_DefaultRule(int replies, int full, PccrdReplyDecision expected)
    {
        var rule = new PccrdReplySuppression(random: new ThrowingRandom());

        Assert.That(rule.Classify(replies, full), Is.EqualTo(expected));
    }

    [TestCase(0, 0, true)]
    [TestCase(9, 9, true)]
    [TestCase(10, 10, false)]
    [TestCase(100, 99, false)]
    public void ShouldAnswer_DeterministicBranches_DrawNoRandomNumber(int replies, int full, bool expected)
    {
        Assert.That(new PccrdReplySuppression(random: new ThrowingRandom()).ShouldAnswer(replies, full), Is.EqualTo(expected));
    }

    [TestCase(0.0, true)]
    [TestCase(0.3299, true)]
    [TestCase(0.33, false)]
    [TestCase(0.99, false)]
    public void ShouldAnswer_ProbabilisticBranch_AnswersBelowP(double draw, bool expected)
    {
        var rule = new PccrdReplySuppression(random: new FixedRandom(draw));

        Assert.That(rule.ShouldAnswer(10, 0), Is.EqualTo(expected));
    }

    [Test]
    public void ShouldAnswer_SeededRandom_AnswersAboutOneThirdOfTheTime()
    {
        var rule = new PccrdReplySuppression(random: new Random(33));

        int answered = Enumerable.Range(0, 20_000).Count(_ => rule.ShouldAnswer(12, 3));

        Assert.That(answered / 20_000.0, Is.EqualTo(0.33).Within(0.015));
    }

    [Test]
    public void Constructor_CustomValues_AreUsed()
    {
        var rule = new PccrdReplySuppression(threshold: 3, probability: 1, random: new FixedRandom(0.999));

        Assert.That((rule.Threshold, rule.Probability, rule.Classify(2, 2), rule.Classify(3, 3), rule.ShouldAnswer(3, 2)), Is.EqualTo((3, 1.0, PccrdReplyDecision.Answer, PccrdReplyDecision.Suppress, true)));
        Assert.That((PccrdReplySuppression.DefaultThreshold, PccrdReplySuppression.DefaultProbability), Is.EqualTo((10, 0.33)));
    }

    [Test]
    public void Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdReplySuppression(threshold: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdReplySuppression(probability: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdReplySuppression(probability: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PccrdReplySuppression().Classify(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PccrdReplySuppression().Classify(0, -1));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    private sealed class ThrowingRandom : Random
    {
        public override double NextDouble() => throw new AssertionException("no random number should be drawn");
    }
}
