package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/openkyc/openkyc/internal/screening"
)

var noLists = screening.NewScreener()

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
			scr = noLists // validates, then answers lists_not_loaded
		}
		resp, err := scr.Screen(in.Body)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &struct{ Body screening.Response }{resp}, nil
	})
}

// ListVersionOut is a list version in force now or loaded before.
type ListVersionOut struct {
	List          string    `json:"list"`
	Published     string    `json:"published,omitempty"`
	SHA256        string    `json:"sha256"`
	Entries       int       `json:"entries"`
	People        int       `json:"people"`
	Names         int       `json:"names"`
	FirstLoadedAt time.Time `json:"first_loaded_at"`
}

// ListsOut answers GET /v1/screenings/lists.
type ListsOut struct {
	Loaded  []screening.ListInfo `json:"loaded"`
	History []ListVersionOut     `json:"history"`
}

func (s *server) screeningListRoutes() {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-screening-lists", Method: http.MethodGet, Path: "/v1/screenings/lists", Tags: []string{"Screening"},
		Summary:   "Sanctions list versions: in force on this server, and every version loaded (newest first, at most 200)",
		Responses: errorResponses(401),
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body ListsOut }, error) {
		_ = principal(ctx)
		out := ListsOut{Loaded: []screening.ListInfo{}, History: []ListVersionOut{}}
		if s.Screening != nil {
			for _, v := range s.Screening.Versions() {
				li := screening.ListInfo{List: v.List, SHA256: v.SHA256, Entries: v.Entries}
				if !v.Published.IsZero() {
					li.Published = v.Published.Format("2006-01-02")
				}
				out.Loaded = append(out.Loaded, li)
			}
		}
		vs, err := s.Verifications.ListVersions(ctx, 200)
		if err != nil {
			return nil, fail(ctx, err)
		}
		for _, v := range vs {
			o := ListVersionOut{List: v.List, SHA256: v.SHA256, Entries: v.Entries, People: v.People, Names: v.Names, FirstLoadedAt: v.FirstLoadedAt}
			if !v.Published.IsZero() {
				o.Published = v.Published.Format("2006-01-02")
			}
			out.History = append(out.History, o)
		}
		return &struct{ Body ListsOut }{out}, nil
	})
}
