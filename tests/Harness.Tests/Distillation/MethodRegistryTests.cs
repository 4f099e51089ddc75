using Harness.Data;
using Harness.Config;
using Harness.Distillation;
using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Tests.Distillation;

public class MethodRegistryTests
{
    static ExperimentConfig Config(double alpha = 0.3, double temperature = 2.0, bool cache = false) => new()
    {
        Name = "t",
        Kd = new KdSpec { Alpha = alpha, Temperature = temperature, Cache = cache, TopK = 8 },
        SeqKd = new SeqKdSpec { Tokens = 100, Seed = 3 },
        Students = new() { ["s"] = new ModelSpec { ContextLength = 16, Layers = 1, Heads = 2, DModel = 16 } },
    };

    [Fact]
    public void Registry_holds_the_three_methods_by_their_on_disk_names()
    {
        Assert.Equal(["scratch", "logit-kd", "seq-kd"], MethodRegistry.Names);
        Assert.IsType<ScratchMethod>(MethodRegistry.Get("scratch"));
        Assert.IsType<LogitKdMethod>(MethodRegistry.Get("logit-kd"));
        Assert.IsType<SeqKdMethod>(MethodRegistry.Get("seq-kd"));
        Assert.Contains("Hinton", MethodRegistry.Get("logit-kd").Citation);
        Assert.Contains("Kim & Rush 2016", MethodRegistry.Get("seq-kd").Citation);
        Assert.False(MethodRegistry.Get("scratch").NeedsTeacher);
        Assert.All(MethodRegistry.All.Where(m => m.Name != "scratch"), m => Assert.True(m.NeedsTeacher));
    }

    [Fact]
    public void Unknown_method_fails_with_the_registered_ones()
    {
        var e = Assert.Throws<UserInputException>(() => MethodRegistry.Get("feature-kd"));
        Assert.Contains("feature-kd", e.Message);
        Assert.Contains("registered: scratch, logit-kd, seq-kd", e.Message);

        const string json = """
        { "name": "x", "students": { "s": { "preset": "nano" } }, "budgets": [ { "name": "b", "tokens": 100 } ],
          "teacher": { "checkpoint": "models/t" }, "methods": ["scratch", "feature-kd"] }
        """;
        var bad = Assert.Throws<UserInputException>(() => Harness.Pipelines.ExperimentValidator.Read(json, "bad.json"));
        var problem = Assert.Single(bad.Problems);
        Assert.Equal("bad.json: $.methods[1]: value \"feature-kd\" is not a method; valid: scratch, logit-kd, seq-kd.", problem);
    }

    [Fact]
    public void Methods_that_need_a_teacher_are_named_when_none_is_set()
    {
        Assert.Empty(MethodRegistry.Validate(["scratch"], null, "$"));
        var p = Assert.Single(MethodRegistry.Validate(["scratch", "seq-kd", "logit-kd"], null, "$"));
        Assert.StartsWith("$.teacher.checkpoint: methods seq-kd, logit-kd need a teacher", p);
        Assert.Empty(MethodRegistry.Validate(["seq-kd"], "models/t", "$"));
        Assert.Equal("$.methods: needs at least one of scratch, logit-kd, seq-kd.", Assert.Single(MethodRegistry.Validate([], "models/t", "$")));
    }

    [Fact]
    public void Each_method_lists_its_weighted_loss_terms()
    {
        var config = Config(alpha: 0.3);
        Assert.Equal([("ce", 1.0)], MethodRegistry.Get("scratch").Terms(config).Select(t => (t.Name, t.Weight)));
        Assert.Equal([("ce", 0.3), ("tau2-divergence", 0.7)], MethodRegistry.Get("logit-kd").Terms(config).Select(t => (t.Name, t.Weight)));
        Assert.Contains("forward-kl", MethodRegistry.Get("logit-kd").Terms(config)[1].Formula);
        Assert.Equal([("ce", 1.0)], MethodRegistry.Get("seq-kd").Terms(config).Select(t => (t.Name, t.Weight)));
    }

    [Fact]
    public void Logit_kd_objective_is_the_weighted_sum_of_its_terms()
    {
        // L = α·CE(y, p_S) + (1−α)·τ²·KL(p_T^τ ‖ p_S^τ) (Hinton et al. 2015), checked against the terms' weights.
        torch.manual_seed(5);
        var shape = TestSupport.TinyModel(vocab: 32);
        using var teacher = new Gpt(shape);
        var config = Config(alpha: 0.3, temperature: 2.0);
        var method = MethodRegistry.Get("logit-kd");
        var inputs = new MethodInputs(config, 32, TestSupport.PatternStream(200, 32), teacher, 5e9);
        var objective = Assert.IsType<LogitKdObjective>(method.Objective(inputs));
        Assert.IsType<OnlineTeacher>(objective.Teacher);

        using var scope = NewDisposeScope();
        var x = tensor(TestSupport.PatternStream(32, 32).Select(v => (long)v).ToArray(), [2, 16]);
        var y = x.roll(-1, 1);
        var studentLogits = randn(2, 16, 32);
        var loss = objective.Loss(studentLogits, new TrainingBatch(x, y, [0, 16], 0)).item<float>();

        Tensor teacherLogits;
        using (no_grad()) teacherLogits = teacher.call(x);
        const double tau = 2.0;
        double ce = F.cross_entropy(studentLogits.view(-1, 32), y.view(-1)).item<float>();
        var pT = F.softmax(teacherLogits.view(-1, 32).DividedBy(tau), -1);
        var logPs = F.log_softmax(studentLogits.view(-1, 32).DividedBy(tau), -1);
        double kl = pT.mul(pT.log().Minus(logPs)).sum(-1).mean().item<float>();
        var terms = method.Terms(config);
        double expected = terms[0].Weight * ce + terms[1].Weight * tau * tau * kl;
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void Scratch_and_seq_kd_train_with_cross_entropy_on_their_streams()
    {
        TokenIds train = TestSupport.PatternStream(300, 32);   // the stream objects themselves: a method hands its stream through, uncopied
        var synthetic = new SyntheticCorpus.Result(TestSupport.PatternStream(100, 32, seed: 9), 1234.5);
        var config = Config();
        var scratch = MethodRegistry.Get("scratch");
        var seqKd = MethodRegistry.Get("seq-kd");
        var inputs = new MethodInputs(config, 32, train, null, 0, Synthetic: synthetic);
        Assert.IsType<CrossEntropyObjective>(scratch.Objective(inputs));
        Assert.IsType<CrossEntropyObjective>(seqKd.Objective(inputs));
        Assert.Same(train, scratch.TrainingStream(inputs));
        Assert.Equal(synthetic.Tokens, seqKd.TrainingStream(inputs));   // the teacher's samples, as generated
        Assert.Same(train, MethodRegistry.Get("logit-kd").TrainingStream(inputs));
        Assert.True(seqKd.TrainsOnSyntheticCorpus);
        Assert.Throws<InvalidOperationException>(() => seqKd.TrainingStream(inputs with { Synthetic = null }));
    }

    [Fact]
    public void Each_method_charges_its_own_compute()
    {
        torch.manual_seed(1);
        var shape = TestSupport.TinyModel(vocab: 32);
        using var teacher = new Gpt(shape);
        double forward = ModelMath.ForwardFlopsPerToken(shape);
        var synthetic = new SyntheticCorpus.Result(new int[100], 1234.5);
        var inputs = new MethodInputs(Config(), 32, TestSupport.PatternStream(300, 32), teacher, 7e9, Synthetic: synthetic);

        Assert.Equal(MethodFlopRates.None, MethodRegistry.Get("scratch").Flops(inputs));
        Assert.Equal(new MethodFlopRates { TeacherOnlinePerToken = forward, TeacherPretrain = 7e9 }, MethodRegistry.Get("logit-kd").Flops(inputs));
        Assert.Equal(new MethodFlopRates { SyntheticGeneration = 1234.5, SyntheticTokens = 100, TeacherPretrain = 7e9 }, MethodRegistry.Get("seq-kd").Flops(inputs));

        using var tmp = new TempDirectory();
        using var cache = new TeacherLogitCache(tmp.File("logits.bin"), teacher, 300, 8);
        var cached = MethodRegistry.Get("logit-kd").Flops(inputs with { LogitCache = cache });
        Assert.Equal(new MethodFlopRates { TeacherCachedPerToken = forward, TeacherPretrain = 7e9 }, cached);
        Assert.IsType<CachedTeacher>(((LogitKdObjective)MethodRegistry.Get("logit-kd").Objective(inputs with { LogitCache = cache })).Teacher);
    }

    [Fact]
    public void Methods_serve_the_teacher_and_key_their_settings_as_configured()
    {
        var online = Config(cache: false);
        var cached = Config(cache: true);
        Assert.Equal(TeacherLogitUse.Online, MethodRegistry.Get("logit-kd").LogitUse(online));
        Assert.Equal(TeacherLogitUse.Cached, MethodRegistry.Get("logit-kd").LogitUse(cached));
        Assert.Equal(TeacherLogitUse.None, MethodRegistry.Get("seq-kd").LogitUse(cached));
        Assert.Equal(TeacherLogitUse.None, MethodRegistry.Get("scratch").LogitUse(cached));

        Assert.Equal(MethodIdentity.None, MethodRegistry.Get("scratch").Identity(cached, "th"));
        // The cache flag changes how the teacher is served, not the result: both settings give one key.
        Assert.Equal(MethodRegistry.Get("logit-kd").Identity(online, "th"), MethodRegistry.Get("logit-kd").Identity(cached, "th"));
        Assert.Equal(new MethodIdentity(online.Kd, null, "th"), MethodRegistry.Get("logit-kd").Identity(cached, "th"));
        Assert.Equal(new MethodIdentity(null, cached.SeqKd, "th"), MethodRegistry.Get("seq-kd").Identity(cached, "th"));
    }

    [Fact]
    public void Logit_kd_preflight_checks_context_and_top_k_against_the_teacher()
    {
        var config = Config() with { Kd = new KdSpec { TopK = 64 } };
        var teacher = new GptConfig(32, 32, 1, 2, 16);   // T = 32
        var problems = MethodRegistry.Get("logit-kd").Preflight(config, teacher, 32).ToList();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("$.students.s.context_length: value 16 differs from the teacher's 32", problems[0]);
        Assert.StartsWith("$.kd.top_k: value 64 is larger than the teacher's vocabulary (32)", problems[1]);
        Assert.Empty(MethodRegistry.Get("seq-kd").Preflight(config, teacher, 32));
        Assert.Empty(MethodRegistry.Get("scratch").Preflight(config, teacher, 32));
    }
}
