// Every collection starts its own broker process and the machine has two cores: running collections
// side by side would only make timings noisy, so the whole assembly runs serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
