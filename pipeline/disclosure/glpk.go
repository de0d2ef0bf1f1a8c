package disclosure

// The audit's linear programs are solved by GLPK (the GNU Linear
// Programming Kit, Debian package libglpk-dev): its revised simplex keeps a
// sparse LU factorisation of the basis and updates it at each pivot, and it
// starts each solve from the basis of the last, so bounding every withheld
// figure of a component (a minimum and a maximum each) costs a few pivots
// per figure. gonum's simplex, used before, is dense and factorises the
// whole basis again at every pivot: a thousand-row program of a release
// audited with its predecessors took seconds per figure.

/*
#cgo LDFLAGS: -lglpk
#include <stdlib.h>
#include <glpk.h>

static int ocmap_simplex(glp_prob *p) {
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_OFF;
	int ret = glp_simplex(p, &parm);
	if (ret == GLP_EBADB || ret == GLP_ESING || ret == GLP_ECOND) {
		// A basis that rounding made singular: start again from one
		// GLPK builds.
		glp_adv_basis(p, 0);
		ret = glp_simplex(p, &parm);
	}
	return ret;
}
*/
import "C"

import (
	"errors"
	"math"
	"runtime"
	"unsafe"
)

// errUnbounded is program.minimize's error when the objective has no
// minimum.
var errUnbounded = errors.New("unbounded")

// program is a linear program, minimise c·y subject to A·y = b, y ≥ 0, in
// GLPK. Its solves must run on one OS thread (GLPK keeps its memory per
// thread), so newProgram locks the goroutine to its thread until close.
type program struct {
	p    *C.glp_prob
	n    int
	cost []int // columns (1-based) of the last objective
}

// newProgram loads the rows of A (column → coefficient, columns 0..n−1,
// each at most once a row) and b. Rows may be linearly dependent.
func newProgram(rows []map[int]float64, b []float64, n int) *program {
	runtime.LockOSThread()
	// GLPK's terminal output is set per thread, and prints to stdout.
	C.glp_term_out(C.GLP_OFF)
	p := C.glp_create_prob()
	C.glp_set_obj_dir(p, C.GLP_MIN)
	m := len(rows)
	if m > 0 {
		C.glp_add_rows(p, C.int(m))
	}
	if n > 0 {
		C.glp_add_cols(p, C.int(n))
	}
	for j := 1; j <= n; j++ {
		C.glp_set_col_bnds(p, C.int(j), C.GLP_LO, 0, 0)
	}
	nz := 0
	for _, r := range rows {
		nz += len(r)
	}
	// GLPK's arrays are 1-based: element 0 is not read.
	ia := (*[1 << 30]C.int)(C.malloc(C.size_t(nz+1) * C.size_t(unsafe.Sizeof(C.int(0)))))[: nz+1 : nz+1]
	ja := (*[1 << 30]C.int)(C.malloc(C.size_t(nz+1) * C.size_t(unsafe.Sizeof(C.int(0)))))[: nz+1 : nz+1]
	ar := (*[1 << 30]C.double)(C.malloc(C.size_t(nz+1) * C.size_t(unsafe.Sizeof(C.double(0)))))[: nz+1 : nz+1]
	k := 0
	for i, r := range rows {
		C.glp_set_row_bnds(p, C.int(i+1), C.GLP_FX, C.double(b[i]), C.double(b[i]))
		for j, a := range r {
			k++
			ia[k], ja[k], ar[k] = C.int(i+1), C.int(j+1), C.double(a)
		}
	}
	C.glp_load_matrix(p, C.int(nz), &ia[0], &ja[0], &ar[0])
	C.free(unsafe.Pointer(&ia[0]))
	C.free(unsafe.Pointer(&ja[0]))
	C.free(unsafe.Pointer(&ar[0]))
	if m > 0 && n > 0 {
		C.glp_adv_basis(p, 0)
	}
	return &program{p: p, n: n}
}

// close frees the program and unlocks the goroutine from its thread.
func (pr *program) close() {
	C.glp_delete_prob(pr.p)
	runtime.UnlockOSThread()
}

// minimize returns the least value of c·y and a solution where it is
// reached, starting from the basis of the last solve; errUnbounded when
// there is none. c has n elements.
func (pr *program) minimize(c []float64) (float64, []float64, error) {
	for _, j := range pr.cost {
		C.glp_set_obj_coef(pr.p, C.int(j), 0)
	}
	pr.cost = pr.cost[:0]
	for j, a := range c {
		if a != 0 {
			C.glp_set_obj_coef(pr.p, C.int(j+1), C.double(a))
			pr.cost = append(pr.cost, j+1)
		}
	}
	if ret := C.ocmap_simplex(pr.p); ret != 0 {
		return math.NaN(), nil, errors.New("GLPK simplex failed")
	}
	switch C.glp_get_status(pr.p) {
	case C.GLP_OPT:
	case C.GLP_UNBND:
		return math.Inf(-1), nil, errUnbounded
	default:
		return math.NaN(), nil, errors.New("GLPK found no optimum")
	}
	x := make([]float64, pr.n)
	for j := range x {
		x[j] = float64(C.glp_get_col_prim(pr.p, C.int(j+1)))
	}
	return float64(C.glp_get_obj_val(pr.p)), x, nil
}
