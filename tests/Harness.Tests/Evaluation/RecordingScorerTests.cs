using Harness.Evaluation;

namespace Harness.Tests.Evaluation;

public class RecordingScorerTests
{
    [Fact]
    public void Every_request_is_recorded_with_its_task_and_the_answer_returned()
    {
        var inner = new DelegateScorer(r => -r.Continuation.Length, g => "42", r => r.Continuation == " a");
        var recorder = new RecordingScorer(inner) { Task = "t1" };
        var answers = recorder.LogLikelihood([new LoglikelihoodRequest("ctx", " a"), new LoglikelihoodRequest("ctx", " bbb")]);
        recorder.Task = "t2";
        recorder.GenerateGreedy([new GenerationRequest("1+41=", 4, [])]);
        Assert.Equal(3, recorder.Records.Count);
        Assert.Equal(["t1", "t1", "t2"], recorder.Records.Select(r => r.Task));
        Assert.Equal(answers.Select(a => (double?)a.LogProb), recorder.Records.Take(2).Select(r => r.LogProb));
        Assert.Equal([true, false], recorder.Records.Take(2).Select(r => r.IsGreedy!.Value));
        Assert.Equal("generate_until", recorder.Records[2].RequestType);
        Assert.Equal("42", recorder.Records[2].Generated);
        Assert.Null(recorder.Records[2].LogProb);
    }
}
