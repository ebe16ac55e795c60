//go:build cgo

package face

import (
	"fmt"
	"os"
	"path/filepath"

	ort "github.com/yalue/onnxruntime_go"
)

// initRuntime loads ONNX Runtime's shared library (once per process).
func initRuntime(lib string) error {
	ort.SetSharedLibraryPath(lib)
	return ort.InitializeEnvironment()
}

// session is a pool of ONNX Runtime sessions of one model: each runs one
// request at a time with one intra-op thread, so a pool of GOMAXPROCS
// sessions uses every core without oversubscribing them.
type session struct {
	pool    chan *ort.DynamicAdvancedSession
	inputs  []string
	outputs []string
}

func newSession(path string) (*session, error) {
	model, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := FlushDenormals(model); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	in, out, err := ort.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		return nil, err
	}
	s := &session{}
	for _, i := range in {
		s.inputs = append(s.inputs, i.Name)
	}
	for _, o := range out {
		s.outputs = append(s.outputs, o.Name)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		return nil, err
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	// activations may turn subnormal too: flush them on the CPU as well
	if err := opts.AddSessionConfigEntry("session.set_denormal_as_zero", "1"); err != nil {
		return nil, err
	}
	n := max(1, PoolSize)
	s.pool = make(chan *ort.DynamicAdvancedSession, n)
	for range n {
		ds, err := ort.NewDynamicAdvancedSessionWithONNXData(model, s.inputs, s.outputs, opts)
		if err != nil {
			return nil, err
		}
		s.pool <- ds
	}
	return s, nil
}

// run feeds one float tensor and returns every output's data.
func (s *session) run(shape []int64, data []float32) ([][]float32, error) {
	in, err := ort.NewTensor(ort.NewShape(shape...), data)
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	outs := make([]ort.Value, len(s.outputs))
	ds := <-s.pool
	err = ds.Run([]ort.Value{in}, outs)
	s.pool <- ds
	if err != nil {
		return nil, err
	}
	res := make([][]float32, len(outs))
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("output %s is not float32", s.outputs[i])
		}
		res[i] = append([]float32(nil), t.GetData()...)
		o.Destroy()
	}
	return res, nil
}
