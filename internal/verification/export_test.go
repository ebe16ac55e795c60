package verification

import (
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/check"
)

// CheckEnv exposes the checks' environment to the tests.
func (s *Service) CheckEnv() check.Env { return checkEnv{s} }

// ForgetFaces drops a merchant's in-memory face gallery.
func (s *Service) ForgetFaces(merchantID string) { s.faces.forget(merchantID) }

// Applicants is the service's applicant service (tests create applicants
// on the service's store and keys through it).
func (s *Service) Applicants() *applicant.Service { return s.applicants }
