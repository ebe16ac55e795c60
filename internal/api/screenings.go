package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/screening"
)

func (s *server) screeningRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "create-screening", Method: http.MethodPost, Path: "/v1/screenings", Tags: []string{"Screening"},
		Summary: "Screen a name against the sanctions and PEP lists", DefaultStatus: http.StatusOK, MaxBodyBytes: 4 << 10,
		Description: "Fuzzy, multilingual search of the loaded lists (OFAC, UN, EU, UK, OpenSanctions). Hits are ranked by score (0–1) " +
			"and each carries an explanation: which name parts matched how, and which qualifiers (birth date, nationality, gender) moved the score. " +
			"threshold defaults to 0.65, limit to 10 (at most 100). 503 lists_not_loaded when the server has no lists. Nothing is stored.",
		Responses: errorResponses(400, 401, 422, 503),
	}, func(ctx context.Context, in *struct{ Body screening.Request }) (*struct{ Body screening.Response }, error) {
		_ = principal(ctx) // authenticated: any merchant may screen
		scr := s.Screening
		if scr == nil {
			scr = screening.NewScreener()
		}
		resp, err := scr.Screen(in.Body)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body screening.Response }{resp}, nil
	})
}
