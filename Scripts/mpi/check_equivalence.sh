#!/usr/bin/env bash
# The MPI equivalence test: data-parallel search on 2 ranks, then on 3 (uneven shards of every batch, augmentation on),
# of this machine against 1 process with the same global batch (identical architecture, weights within 1e-5 after 50
# steps with two expansions; Tests/MPIEquivalence).
# Builds only what the test needs, with the package trait MPI, in .build-mpi so that the default build is untouched.
# Needs Open MPI: apt-get install -y libopenmpi-dev openmpi-bin
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --traits MPI --scratch-path .build-mpi --product MPIEquivalence
# Containers (CI) run as root, which mpirun refuses unless told; 2 or 3 ranks may exceed the slots a container reports.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for ranks in 2 3; do
    mpirun --oversubscribe -np "$ranks" .build-mpi/debug/MPIEquivalence
done
