//go:build !(cgo && (linux || darwin))

package tesseract

import (
	"context"
	"fmt"
)

// Library runs tesseract in process; this build has none (no cgo), so
// the program is run.
type Library struct{}

func loadLibrary() (*Library, error) {
	return nil, fmt.Errorf("%w: built without cgo", ErrNoLibrary)
}

// SetIdleEngines does nothing.
func (*Library) SetIdleEngines(int) {}

// DefaultIdleEngines is how many idle engines a library keeps.
const DefaultIdleEngines = 32

// Mode is "library".
func (*Library) Mode() string { return "library" }

// Version is empty.
func (*Library) Version() string { return "" }

// Run fails: there is no library.
func (*Library) Run(context.Context, Job) ([]byte, error) { return nil, ErrNoLibrary }
