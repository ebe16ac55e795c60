//go:build cgo && (linux || darwin)

package tesseract

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdio.h>

// libtesseract's C API (tesseract/capi.h), bound at run time with dlopen
// so that neither its headers nor the library are needed to build.
typedef void tess_api;
typedef void tess_monitor;

static void *okyc_lib;
static const char *(*p_version)(void);
static tess_api *(*p_create)(void);
static void (*p_delete)(tess_api *);
static int (*p_init4)(tess_api *, const char *, const char *, int, char **, int, char **, char **, size_t, int);
static int (*p_set_variable)(tess_api *, const char *, const char *);
static void (*p_set_psm)(tess_api *, int);
static void (*p_set_image)(tess_api *, const unsigned char *, int, int, int, int);
static int (*p_recognize)(tess_api *, tess_monitor *);
static char *(*p_hocr)(tess_api *, int);
static char *(*p_tsv)(tess_api *, int);
static void (*p_delete_text)(const char *);
static void (*p_clear)(tess_api *);
static tess_monitor *(*p_monitor_create)(void);
static void (*p_monitor_delete)(tess_monitor *);
static void (*p_monitor_deadline)(tess_monitor *, int);

#define OKYC_SYM(var, name) \
	if (!(*(void **)(&var) = dlsym(okyc_lib, name))) return "libtesseract has no " name;

static char okyc_err[512];

static const char *okyc_load(const char *path) {
	okyc_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!okyc_lib) {
		// dlerror's text is the calling thread's: copied before returning
		const char *e = dlerror();
		snprintf(okyc_err, sizeof okyc_err, "%s", e ? e : "dlopen failed");
		return okyc_err;
	}
	OKYC_SYM(p_version, "TessVersion")
	OKYC_SYM(p_create, "TessBaseAPICreate")
	OKYC_SYM(p_delete, "TessBaseAPIDelete")
	OKYC_SYM(p_init4, "TessBaseAPIInit4")
	OKYC_SYM(p_set_variable, "TessBaseAPISetVariable")
	OKYC_SYM(p_set_psm, "TessBaseAPISetPageSegMode")
	OKYC_SYM(p_set_image, "TessBaseAPISetImage")
	OKYC_SYM(p_recognize, "TessBaseAPIRecognize")
	OKYC_SYM(p_hocr, "TessBaseAPIGetHOCRText")
	OKYC_SYM(p_tsv, "TessBaseAPIGetTsvText")
	OKYC_SYM(p_delete_text, "TessDeleteText")
	OKYC_SYM(p_clear, "TessBaseAPIClear")
	OKYC_SYM(p_monitor_create, "TessMonitorCreate")
	OKYC_SYM(p_monitor_delete, "TessMonitorDelete")
	OKYC_SYM(p_monitor_deadline, "TessMonitorSetDeadlineMSecs")
	return NULL;
}

static const char *okyc_version(void) { return p_version(); }
static tess_api *okyc_create(void) { return p_create(); }
static void okyc_delete(tess_api *a) { p_delete(a); }

// okyc_init loads the models (OEM_DEFAULT: the LSTM engine of the models
// Debian and the assets install) with the parameters set at load time.
static int okyc_init(tess_api *a, const char *datapath, const char *lang, char **names, char **values, size_t n) {
	return p_init4(a, datapath, lang, 3, NULL, 0, names, values, n, 0);
}

static int okyc_set_variable(tess_api *a, const char *name, const char *value) {
	return p_set_variable(a, name, value);
}

// okyc_recognize reads an 8-bit grey image (copied by tesseract) within
// deadline_ms and returns its hOCR or TSV (free with okyc_free_text), or
// NULL when recognition failed or ran out of time.
static char *okyc_recognize(tess_api *a, const unsigned char *pix, int w, int h, int stride, int psm, int hocr, int deadline_ms) {
	p_set_psm(a, psm);
	p_set_image(a, pix, w, h, 1, stride);
	tess_monitor *m = p_monitor_create();
	p_monitor_deadline(m, deadline_ms);
	int rc = p_recognize(a, m);
	p_monitor_delete(m);
	char *out = NULL;
	if (rc == 0) out = hocr ? p_hocr(a, 0) : p_tsv(a, 0);
	p_clear(a);
	return out;
}

static void okyc_free_text(char *t) { p_delete_text(t); }
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// libraryNames are the names libtesseract 5 is found by.
var libraryNames = []string{"libtesseract.so.5", "libtesseract.so", "libtesseract.5.dylib", "libtesseract.dylib"}

// Library runs tesseract in process through libtesseract: what a worker
// (Workers) runs.
type Library struct {
	version string

	mu      sync.Mutex
	idle    map[string][]*engine // by poolKey
	nIdle   int
	maxIdle int
	tick    uint64 // orders idle engines by last use
}

// engine is one initialised TessBaseAPI: its models loaded. It serves one
// job at a time.
type engine struct {
	api  unsafe.Pointer // tess_api *
	key  string
	used uint64
}

// maxIdlePerKey is how many idle engines of one pool are kept: as many
// as recognitions of one document kind run at once, on small machines.
const maxIdlePerKey = 4

// DefaultIdleEngines is how many idle engines are kept in all (the least
// recently used is freed first). An engine holds its models: about 13 MB
// with one, 21 MB with two language models, 55 MB with Chinese.
const DefaultIdleEngines = 32

func loadLibrary() (*Library, error) {
	// libgomp reads its settings when it is loaded with libtesseract: one
	// thread per recognition (the pipeline runs several at once), as the
	// program is run
	if err := os.Setenv("OMP_THREAD_LIMIT", "1"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoLibrary, err)
	}
	var errs []string
	for _, name := range libraryNames {
		cs := C.CString(name)
		msg := C.okyc_load(cs)
		C.free(unsafe.Pointer(cs))
		if msg == nil {
			v := C.GoString(C.okyc_version())
			if !strings.HasPrefix(v, "5.") {
				return nil, fmt.Errorf("%w: %s is version %s, 5 is needed", ErrNoLibrary, name, v)
			}
			l := &Library{version: v, idle: map[string][]*engine{}, maxIdle: DefaultIdleEngines}
			// tesseract's diagnostics ("Estimating resolution as …") go
			// nowhere: the server's log is JSON (debug_file is global)
			a := C.okyc_create()
			n, dn := C.CString("debug_file"), C.CString(os.DevNull)
			C.okyc_set_variable(a, n, dn)
			C.free(unsafe.Pointer(n))
			C.free(unsafe.Pointer(dn))
			C.okyc_delete(a)
			return l, nil
		}
		errs = append(errs, C.GoString(msg))
	}
	return nil, fmt.Errorf("%w: %s", ErrNoLibrary, strings.Join(errs, "; "))
}

// SetIdleEngines sets how many idle engines are kept in all (0: none, each
// recognition loads its models), freeing the least recently used beyond.
func (l *Library) SetIdleEngines(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxIdle = max(0, n)
	l.trim()
}

// Mode is "library".
func (l *Library) Mode() string { return "library" }

// Version is libtesseract's version.
func (l *Library) Version() string { return l.version }

// Run recognises j's image with an engine of j's models and parameters,
// loading one when none is idle.
func (l *Library) Run(ctx context.Context, j Job) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	img := j.Image
	if img == nil || img.Rect.Dx() < 1 || img.Rect.Dy() < 1 {
		return nil, fmt.Errorf("tesseract: empty image")
	}
	e, err := l.get(j)
	if err != nil {
		return nil, err
	}
	defer l.put(e)
	if err := ctx.Err(); err != nil { // loading the models took the time
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	deadline := 10 * time.Minute
	if d, ok := ctx.Deadline(); ok {
		deadline = time.Until(d)
	}
	ms, start := int(min(max(1, deadline.Milliseconds()), math.MaxInt32)), time.Now()
	// a copy in C memory: nothing of Go's is held while tesseract works
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pix := C.malloc(C.size_t(w * h))
	defer C.free(pix)
	dst := unsafe.Slice((*byte)(pix), w*h)
	for y := range h {
		off := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
		copy(dst[y*w:(y+1)*w], img.Pix[off:off+w])
	}
	hocr := C.int(0)
	if j.Output == HOCR {
		hocr = 1
	}
	out := C.okyc_recognize(e.api, (*C.uchar)(pix), C.int(w), C.int(h), C.int(w), C.int(j.PSM), hocr, C.int(ms))
	// past the deadline tesseract stops (its clock may run out a little
	// before ctx's) and leaves the words it did not reach empty: a partial
	// reading is no reading
	if ctx.Err() != nil || time.Since(start) >= deadline-10*time.Millisecond {
		if out != nil {
			C.okyc_free_text(out)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("tesseract: %w", ctx.Err())
		}
		return nil, fmt.Errorf("tesseract: %w", context.DeadlineExceeded)
	}
	if out == nil {
		return nil, fmt.Errorf("tesseract: recognition failed")
	}
	b := []byte(C.GoString(out))
	C.okyc_free_text(out)
	return b, nil
}

// get takes an idle engine of j's pool or loads a new one.
func (l *Library) get(j Job) (*engine, error) {
	key := poolKey(j)
	l.mu.Lock()
	if es := l.idle[key]; len(es) > 0 {
		e := es[len(es)-1]
		l.idle[key] = es[:len(es)-1]
		l.nIdle--
		l.mu.Unlock()
		return e, nil
	}
	l.mu.Unlock()
	api := C.okyc_create()
	var dir *C.char
	if j.TessdataDir != "" {
		dir = C.CString(j.TessdataDir)
		defer C.free(unsafe.Pointer(dir))
	}
	lang := C.CString(strings.Join(j.Models, "+"))
	defer C.free(unsafe.Pointer(lang))
	n := len(j.Vars)
	names := (**C.char)(C.malloc(C.size_t(max(1, n)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	values := (**C.char)(C.malloc(C.size_t(max(1, n)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	ns, vs := unsafe.Slice(names, max(1, n)), unsafe.Slice(values, max(1, n))
	for i, v := range j.Vars {
		ns[i], vs[i] = C.CString(v.Name), C.CString(v.Value)
	}
	rc := C.okyc_init(api, dir, lang, names, values, C.size_t(n))
	for i := range n {
		C.free(unsafe.Pointer(ns[i]))
		C.free(unsafe.Pointer(vs[i]))
	}
	C.free(unsafe.Pointer(names))
	C.free(unsafe.Pointer(values))
	if rc != 0 {
		C.okyc_delete(api)
		where := j.TessdataDir
		if where == "" {
			where = "the installed models"
		}
		return nil, fmt.Errorf("tesseract: cannot load the models %s from %s", strings.Join(j.Models, "+"), where)
	}
	return &engine{api: api, key: key}, nil
}

// put keeps e for reuse, freeing the least recently used idle engines
// beyond the limits.
func (l *Library) put(e *engine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tick++
	e.used = l.tick
	if len(l.idle[e.key]) >= maxIdlePerKey {
		C.okyc_delete(e.api)
		return
	}
	l.idle[e.key] = append(l.idle[e.key], e)
	l.nIdle++
	l.trim()
}

// trim frees the least recently used idle engines beyond the limit; l.mu
// is held.
func (l *Library) trim() {
	for l.nIdle > l.maxIdle {
		var oldKey string
		oldIdx, oldUsed := -1, ^uint64(0)
		for k, es := range l.idle {
			for i, x := range es {
				if x.used < oldUsed {
					oldKey, oldIdx, oldUsed = k, i, x.used
				}
			}
		}
		es := l.idle[oldKey]
		C.okyc_delete(es[oldIdx].api)
		l.idle[oldKey] = append(es[:oldIdx], es[oldIdx+1:]...)
		if len(l.idle[oldKey]) == 0 {
			delete(l.idle, oldKey)
		}
		l.nIdle--
	}
}
