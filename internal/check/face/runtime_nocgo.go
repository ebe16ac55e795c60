//go:build !cgo

package face

import (
	"errors"
	"fmt"
)

// A build without cgo (a static binary) has no ONNX Runtime: the face
// engine reports itself unavailable and the face checks say not_run.

var errNoCgo = errors.New("this openkyc was built without cgo (CGO_ENABLED=0); the face engine needs ONNX Runtime through cgo")

func initRuntime(string) error { return errNoCgo }

type session struct{}

func newSession(string) (*session, error) { return nil, fmt.Errorf("%w: %v", ErrUnavailable, errNoCgo) }

func (*session) run([]int64, []float32) ([][]float32, error) {
	return nil, fmt.Errorf("%w: %v", ErrUnavailable, errNoCgo)
}
