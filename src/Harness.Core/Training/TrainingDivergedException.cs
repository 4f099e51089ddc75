namespace Harness.Training;

/// <summary>A run produced a non-finite loss; the sweep records the unit as failed and continues.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
