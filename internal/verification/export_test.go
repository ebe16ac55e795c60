package verification

import "github.com/openkyc/openkyc/internal/check"

// CheckEnv exposes the checks' environment to the tests.
func (s *Service) CheckEnv() check.Env { return checkEnv{s} }

// ForgetFaces drops a merchant's in-memory face gallery.
func (s *Service) ForgetFaces(merchantID string) { s.faces.forget(merchantID) }
