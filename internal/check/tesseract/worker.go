package tesseract

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
)

// Workers run libtesseract in helper processes that keep their engines
// loaded: the server's own binary started again as a worker (workerEnv),
// one recognition at a time each, fed over its standard input and output.
// Tesseract aborts the process on some inputs (failed internal checks in
// its recogniser); in a worker that ends one recognition with an error,
// not the server with the keys and every other request, and the next
// recognition starts a new worker. A recognition whose context ends is
// stopped by killing its worker.
type Workers struct {
	exe       string
	engines   int // idle engines each worker keeps
	maxIdle   int // idle workers kept
	version   string
	mu        sync.Mutex // guards idle, busy and engines
	idle      []*worker
	busy      map[*worker]bool
	startedMu sync.Mutex
	started   int // workers started, for the tests
}

// workerEnv makes a process that links this package a tesseract worker
// (see init): the parent sets it in the worker's environment only.
const workerEnv = "OPENKYC_TESSERACT_WORKER"

func init() {
	if os.Getenv(workerEnv) == "1" {
		os.Exit(serveWorker(os.Stdin, os.Stdout))
	}
}

// request is a job as sent to a worker, before the image's pixels.
type request struct {
	Models      []string `json:"models"`
	TessdataDir string   `json:"tessdata_dir,omitempty"`
	PSM         int      `json:"psm"`
	Vars        []Var    `json:"vars,omitempty"`
	Output      Output   `json:"output"`
	DeadlineMS  int64    `json:"deadline_ms"`
	W           int      `json:"w"`
	H           int      `json:"h"`
}

// Frame limits: a request's header, an image (the readers give tesseract
// at most a few megapixels) and a reply.
const (
	maxHeader = 1 << 16
	maxPixels = 64 << 20
	maxReply  = 64 << 20
)

// writeFrame writes a status byte and a length-prefixed payload.
func writeFrame(w io.Writer, status byte, payload []byte) error {
	var hdr [5]byte
	hdr[0] = status
	binary.LittleEndian.PutUint32(hdr[1:], uint32(len(payload)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// readFrame reads what writeFrame wrote, refusing payloads over limit.
func readFrame(r io.Reader, limit int) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[1:])
	if int64(n) > int64(limit) {
		return 0, nil, fmt.Errorf("frame of %d bytes over the limit of %d", n, limit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return 0, nil, err
	}
	return hdr[0], b, nil
}

// Frame statuses.
const (
	statusOK       byte = 0
	statusErr      byte = 1
	statusDeadline byte = 2 // the recognition ran out of time
)

// serveWorker is a worker's life: a hello (libtesseract's version, or why
// it cannot load), then one reply per request until its input ends.
func serveWorker(in io.Reader, out io.Writer) int {
	bw := bufio.NewWriter(out)
	br := bufio.NewReader(in)
	l, err := Shared()
	if err != nil {
		_ = writeFrame(bw, statusErr, []byte(err.Error()))
		_ = bw.Flush()
		return 1
	}
	if n, err := parseEnvInt(os.Getenv(workerEnv + "_ENGINES")); err == nil {
		l.SetIdleEngines(n)
	}
	if err := writeFrame(bw, statusOK, []byte(l.Version())); err != nil || bw.Flush() != nil {
		return 1
	}
	for {
		st, hdr, err := readFrame(br, maxHeader)
		if err != nil {
			return 0 // the parent closed the pipe (or died): done
		}
		var req request
		if st != statusOK || json.Unmarshal(hdr, &req) != nil || req.W < 1 || req.H < 1 || req.W*req.H > maxPixels {
			return 2 // not a request of ours: nothing sensible can follow
		}
		_, pix, err := readFrame(br, maxPixels)
		if err != nil || len(pix) != req.W*req.H {
			return 2
		}
		img := &image.Gray{Pix: pix, Stride: req.W, Rect: image.Rect(0, 0, req.W, req.H)}
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(req.DeadlineMS)*time.Millisecond)
		res, err := l.Run(ctx, Job{Image: img, Models: req.Models, TessdataDir: req.TessdataDir, PSM: req.PSM, Vars: req.Vars, Output: req.Output})
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			err = writeFrame(bw, statusDeadline, []byte(err.Error()))
		case err != nil:
			err = writeFrame(bw, statusErr, []byte(err.Error()))
		default:
			err = writeFrame(bw, statusOK, res)
		}
		if err != nil || bw.Flush() != nil {
			return 1
		}
	}
}

func parseEnvInt(s string) (int, error) {
	var n int
	_, err := fmt.Sscan(s, &n)
	return n, err
}

// worker is one helper process.
type worker struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	keys []string // pools whose engines it has loaded, most recent last
	// reading: the worker has the whole job and is reading it (guarded by
	// Workers.mu)
	reading bool
}

// NewWorkers starts one worker to see that libtesseract loads in it;
// the error says why not. engines is how many idle engines each worker
// keeps.
func NewWorkers(engines int) (*Workers, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoLibrary, err)
	}
	maxIdle := max(2, runtime.NumCPU())
	ws := &Workers{exe: exe, maxIdle: maxIdle, busy: map[*worker]bool{}, engines: max(1, engines)}
	w, version, err := ws.start()
	if err != nil {
		return nil, err
	}
	ws.version = version
	ws.put(w)
	return ws, nil
}

// Mode is "workers".
func (*Workers) Mode() string { return "workers" }

// Version is the workers' libtesseract version.
func (ws *Workers) Version() string { return ws.version }

// Started counts the workers started so far.
func (ws *Workers) Started() int {
	ws.startedMu.Lock()
	defer ws.startedMu.Unlock()
	return ws.started
}

// SetIdleEngines sets how many idle engines each worker keeps (every
// worker reads every kind of document, and a worker without the engine a
// reading needs loads it); idle workers are stopped, new ones start with
// the new limit.
func (ws *Workers) SetIdleEngines(n int) {
	ws.mu.Lock()
	if ws.engines == max(1, n) {
		ws.mu.Unlock()
		return // unchanged: the idle workers keep their engines
	}
	ws.engines = max(1, n)
	idle := ws.idle
	ws.idle = nil
	ws.mu.Unlock()
	for _, w := range idle {
		w.stop()
	}
}

// start runs a worker and reads its hello: libtesseract's version.
func (ws *Workers) start() (*worker, string, error) {
	ws.mu.Lock()
	engines := ws.engines
	ws.mu.Unlock()
	cmd := exec.Command(ws.exe)
	cmd.Env = append(os.Environ(), workerEnv+"=1", fmt.Sprintf("%s_ENGINES=%d", workerEnv, engines), "OMP_THREAD_LIMIT=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = nil // tesseract's diagnostics: nowhere
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("%w: starting a worker: %v", ErrNoLibrary, err)
	}
	ws.startedMu.Lock()
	ws.started++
	ws.startedMu.Unlock()
	w := &worker{cmd: cmd, in: in, out: bufio.NewReader(out)}
	st, hello, err := readFrame(w.out, maxHeader)
	if err != nil || st != statusOK {
		w.kill()
		if err == nil {
			err = errors.New(string(hello))
		}
		return nil, "", fmt.Errorf("%w: worker: %v", ErrNoLibrary, err)
	}
	return w, string(hello), nil
}

// kill ends the worker's process.
func (w *worker) kill() {
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
}

// stop ends an idle worker: its input closes and it exits.
func (w *worker) stop() {
	_ = w.in.Close()
	go func() { _ = w.cmd.Wait() }()
}

// get takes the idle worker that last loaded key's engines, else the most
// recently used idle one, else starts one.
func (ws *Workers) get(key string) (*worker, error) {
	ws.mu.Lock()
	best := -1
	for i, w := range ws.idle {
		if slices.Contains(w.keys, key) || best < 0 {
			best = i
		}
		if slices.Contains(w.keys, key) {
			break
		}
	}
	if best >= 0 {
		w := ws.idle[best]
		ws.idle = slices.Delete(ws.idle, best, best+1)
		ws.mu.Unlock()
		return w, nil
	}
	ws.mu.Unlock()
	w, _, err := ws.start()
	return w, err
}

// put keeps w idle, stopping the oldest idle worker beyond the limit.
func (ws *Workers) put(w *worker) {
	ws.mu.Lock()
	ws.idle = append(ws.idle, w)
	var extra []*worker
	for len(ws.idle) > ws.maxIdle {
		extra = append(extra, ws.idle[0])
		ws.idle = ws.idle[1:]
	}
	ws.mu.Unlock()
	for _, x := range extra {
		x.stop()
	}
}

func (ws *Workers) setBusy(w *worker, busy bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if busy {
		ws.busy[w] = true
	} else {
		delete(ws.busy, w)
		w.reading = false
	}
}

// maxKeys bounds the pools a worker remembers having loaded.
const maxKeys = 64

// errWorkerGone says a worker died before it took the job (it can be
// given to a new one).
var errWorkerGone = errors.New("worker gone")

// Run gives j to a worker and waits for its reply or the end of ctx (the
// worker is then killed).
func (ws *Workers) Run(ctx context.Context, j Job) (out []byte, err error) {
	ctx, span := startSpan(ctx, j, "library")
	defer func() { tracing.End(span, err) }()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	img := j.Image
	if img == nil || img.Rect.Dx() < 1 || img.Rect.Dy() < 1 {
		return nil, errors.New("tesseract: empty image")
	}
	if img.Rect.Dx()*img.Rect.Dy() > maxPixels {
		return nil, fmt.Errorf("tesseract: image of %d×%d pixels over the limit", img.Rect.Dx(), img.Rect.Dy())
	}
	key := poolKey(j)
	for attempt := 0; ; attempt++ {
		w, err := ws.get(key)
		if err != nil {
			return nil, err
		}
		out, err := ws.roundTrip(ctx, w, j)
		if errors.Is(err, errWorkerGone) && attempt == 0 {
			continue // an idle worker had died (killed, out of memory): once more with a new one
		}
		return out, err
	}
}

type reply struct {
	status byte
	body   []byte
	err    error
}

// roundTrip sends j to w and reads the reply.
func (ws *Workers) roundTrip(ctx context.Context, w *worker, j Job) ([]byte, error) {
	ws.setBusy(w, true)
	defer ws.setBusy(w, false)
	deadline := 10 * time.Minute
	if d, ok := ctx.Deadline(); ok {
		deadline = time.Until(d)
	}
	img := j.Image
	wd, ht := img.Rect.Dx(), img.Rect.Dy()
	hdr, err := json.Marshal(request{Models: j.Models, TessdataDir: j.TessdataDir, PSM: j.PSM, Vars: j.Vars, Output: j.Output,
		DeadlineMS: max(1, deadline.Milliseconds()), W: wd, H: ht})
	if err != nil {
		ws.put(w)
		return nil, err
	}
	pix := img.Pix
	if img.Stride != wd || img.Rect.Min != (image.Point{}) || len(pix) != wd*ht {
		pix = make([]byte, wd*ht)
		for y := range ht {
			off := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
			copy(pix[y*wd:(y+1)*wd], img.Pix[off:off+wd])
		}
	}
	done := make(chan reply, 1)
	go func() {
		bw := bufio.NewWriterSize(w.in, 64<<10)
		if err := writeFrame(bw, statusOK, hdr); err != nil {
			done <- reply{err: errWorkerGone}
			return
		}
		if err := writeFrame(bw, statusOK, pix); err != nil || bw.Flush() != nil {
			done <- reply{err: errWorkerGone}
			return
		}
		ws.mu.Lock()
		w.reading = true
		ws.mu.Unlock()
		st, body, err := readFrame(w.out, maxReply)
		done <- reply{st, body, err}
	}()
	select {
	case r := <-done:
		switch {
		case errors.Is(r.err, errWorkerGone):
			w.kill()
			return nil, r.err
		case r.err != nil:
			// the worker died during the recognition: tesseract aborted
			w.kill()
			return nil, fmt.Errorf("tesseract: the worker ended during the recognition (%s)", w.cmd.ProcessState)
		case r.status == statusDeadline:
			ws.put(w)
			return nil, fmt.Errorf("tesseract: %w", context.DeadlineExceeded)
		case r.status != statusOK:
			ws.put(w)
			return nil, errors.New(string(r.body))
		}
		key := poolKey(j)
		w.keys = append(slices.DeleteFunc(w.keys, func(k string) bool { return k == key }), key)
		if len(w.keys) > maxKeys {
			w.keys = w.keys[len(w.keys)-maxKeys:]
		}
		ws.put(w)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("tesseract: %w", ctx.Err())
		}
		return r.body, nil
	case <-ctx.Done():
		w.kill()
		<-done
		return nil, fmt.Errorf("tesseract: %w", ctx.Err())
	}
}
