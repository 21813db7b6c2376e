#ifndef ILNAS_CMPI_SHIM_H
#define ILNAS_CMPI_SHIM_H
#include <mpi.h>

/* MPI_COMM_WORLD, MPI_FLOAT, MPI_DOUBLE, MPI_UINT64_T and the reduction operations are macros over Open MPI's
   global objects, which Swift cannot import: these functions return them. */
static inline MPI_Comm ilnas_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ilnas_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype ilnas_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ilnas_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op ilnas_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ilnas_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op ilnas_mpi_max(void) { return MPI_MAX; }
static inline int ilnas_mpi_success(void) { return MPI_SUCCESS; }
static inline void *ilnas_mpi_in_place(void) { return MPI_IN_PLACE; }
#endif
