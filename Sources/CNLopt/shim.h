// Shim over NLopt (Steven G. Johnson's nonlinear-optimisation library),
// for its BOBYQA: the derivative-free bound-constrained minimiser lme4
// uses by default (`nloptwrap`) for the profiled deviance of linear mixed
// models.
#ifndef MOODBIOME_CNLOPT_SHIM_H
#define MOODBIOME_CNLOPT_SHIM_H

#include <nlopt.h>

#endif
