// NLopt (Steven G. Johnson's nonlinear-optimisation library), for its
// BOBYQA: the derivative-free bound-constrained minimiser lme4 uses by
// default (`nloptwrap`) for the profiled deviance of linear mixed models.
// Loaded at first use (libnlopt.so.0); the header gives the types.
#ifndef MOODBIOME_CNLOPT_H
#define MOODBIOME_CNLOPT_H

#include <nlopt.h>

#define MB_NLOPT_FUNCTIONS(X) \
    X(nlopt_create) X(nlopt_destroy) X(nlopt_set_lower_bounds) X(nlopt_set_upper_bounds) X(nlopt_set_xtol_abs1) \
    X(nlopt_set_ftol_abs) X(nlopt_set_maxeval) X(nlopt_set_initial_step) X(nlopt_set_min_objective) \
    X(nlopt_optimize) X(nlopt_get_numevals)

struct mb_nlopt_functions {
#define MB_NLOPT_FIELD(name) __typeof__(&name) _Nonnull name;
    MB_NLOPT_FUNCTIONS(MB_NLOPT_FIELD)
#undef MB_NLOPT_FIELD
};

/// The functions, loading NLopt on the first call; NULL when it cannot be
/// loaded, and `mb_nlopt_error()` says why.
const struct mb_nlopt_functions *_Nullable mb_nlopt(void);
const char *_Nonnull mb_nlopt_error(void);

#endif
