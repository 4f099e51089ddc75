// libtorch's default RNG and thread settings are process-global: tests that seed it must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
