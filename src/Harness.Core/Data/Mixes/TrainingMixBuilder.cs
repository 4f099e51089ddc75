using System.Globalization;
using Harness.Config;

namespace Harness.Data.Mixes;

/// <summary>
/// Renders the configured data mix (knowledge facts in training phrasings, worked arithmetic examples) and prepares the
/// data with it.  Fractions are of training characters: extra characters = f / (1 − f_knowledge − f_arithmetic) × corpus
/// train characters.  Evaluation uses other phrasings and held-out problems (see the Evaluation tasks' leak tests).
/// </summary>
public static class TrainingMixBuilder
{
    public static PreparedData Prepare(DataSpec spec, string repositoryRoot, IProgress<string>? progress = null)
    {
        var cache = Path.Combine(repositoryRoot, ".cache", "data");
        if (spec.Mix is not { } mix || mix.KnowledgeFraction + mix.ArithmeticFraction <= 0)
            return DataPipeline.Prepare(spec, cache, progress);
        // The corpus train split's size is needed to size the mix; a plain Prepare is cached and cheap after the first run.
        var plain = DataPipeline.Prepare(spec with { Mix = null }, cache, progress);
        long corpusChars = plain.TrainCharacters;
        return DataPipeline.Prepare(spec, cache, progress, Build(mix, corpusChars));
    }

    public static TrainingMix Build(MixSpec mix, long corpusChars)
    {
        double rest = 1 - mix.KnowledgeFraction - mix.ArithmeticFraction;
        long knowledgeChars = (long)(mix.KnowledgeFraction / rest * corpusChars);
        long arithmeticChars = (long)(mix.ArithmeticFraction / rest * corpusChars);
        var documents = new List<string>();
        long chars = 0;
        // Each pass over the facts is a fresh shuffle, so repeated facts appear in different company.
        for (int pass = 0; chars < knowledgeChars; pass++)
            foreach (var doc in KnowledgeStream.TrainingDocuments(mix.Seed * 1000 + pass))
            {
                if (chars >= knowledgeChars) break;
                documents.Add(doc);
                chars += doc.Length;
            }
        int knowledgeDocs = documents.Count;
        if (arithmeticChars > 0)
        {
            var sample = ArithmeticStream.TrainingDocuments(mix.Seed, 100, mix.ArithmeticDigits);
            double perDoc = sample.Average(d => d.Length + DataPipeline.Separator.Length);
            documents.AddRange(ArithmeticStream.TrainingDocuments(mix.Seed, (int)Math.Ceiling(arithmeticChars / perDoc), mix.ArithmeticDigits));
        }
        var description = string.Create(CultureInfo.InvariantCulture,
            $"knowledge {mix.KnowledgeFraction:P0} = {knowledgeDocs} docs, arithmetic {mix.ArithmeticFraction:P0} = {documents.Count - knowledgeDocs} {mix.ArithmeticDigits}-digit examples");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join("\u0000", documents) + "\u0000seed=" + mix.Seed)));
        return new TrainingMix(hash, documents, description, mix.Seed);
    }
}
