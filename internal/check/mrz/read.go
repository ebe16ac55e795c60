package mrz

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
	"go.opentelemetry.io/otel/attribute"

	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/kyc"
)

// workWidth is the widest working copy of a photo the reader analyses.
const workWidth = 2000

// Debugger receives what the reader saw and read at each step (openkyc
// check document --debug-dir): images of the located lines and of what
// was given to OCR, and each pass's reading.
type Debugger interface {
	Image(name string, img image.Image)
	Text(name, text string)
}

// Read locates the MRZ in img, OCRs it and parses it. A zone that cannot be
// found or read is an error; a read MRZ with bad check digits is returned
// with ParseError set.
//
// The line finder (lines.go) is tried on the image levelled, then turned
// by the direction its characters run in (a tilted or sideways photo), then
// a quarter turn either way; a zone read badly is read again upside down.
// When nothing was read well, the row-texture band finder of the first
// version is tried and the better reading kept. The search stops at the
// first reading that is clearly right, or at the deadline (Timeout), with
// the best reading so far.
func (r Reader) Read(ctx context.Context, img image.Image) (Reading, error) {
	if err := r.Available(); err != nil {
		return Reading{}, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx, span := tracing.Start(ctx, "mrz.read")
	defer span.End()
	gray := toGray(img, workWidth)
	if w := gray.Rect.Dx(); w < minWork {
		// small text: enlarge before finding characters, so strokes and
		// the gaps between characters are more than a pixel or two
		gray = scaleGray(gray, math.Min(3, float64(minWork)/float64(w)))
	}
	s := search{r: r, ctx: ctx, scale: float64(img.Bounds().Dx()) / float64(gray.Rect.Dx()), bestScore: math.Inf(-1)}
	level := gray
	skew := skewAngle(gray)
	if skew != 0 {
		level = rotateGray(gray, skew)
	}
	found, angle := s.try(level, "level", skew)
	if !s.done() && !settled(s.best) && math.Abs(angle) > 2*quality.MinSkew {
		f, _ := s.try(quality.Rotate(level, angle), fmt.Sprintf("turned%+.0f", angle), skew+angle)
		found = found || f
	}
	for _, turn := range []int{90, 270} {
		if found || s.done() {
			break
		}
		g := quality.Turn(gray, turn)
		skew := skewAngle(g)
		if skew != 0 {
			g = rotateGray(g, skew)
		}
		found, _ = s.try(g, fmt.Sprintf("turn%03d", turn), skew-float64(turn))
	}
	// The band finder when the line finder found nothing or read it
	// badly (a reading whose check digits fail with every character read
	// confidently is a document printed that way: another finder's
	// different reading would only be a worse one repaired to fit).
	if !s.done() && !settled(s.best) {
		rd, sc, err := r.readBand(ctx, gray, s.scale)
		if err == nil {
			s.keep(rd, sc)
		} else {
			s.fail(err)
		}
	}
	if math.IsInf(s.bestScore, -1) {
		if s.err == nil {
			s.err = errors.New("no machine readable zone found on the image")
		}
		return Reading{}, s.err
	}
	return s.best, nil
}

// search is one Read's state: the best reading so far and the first error.
type search struct {
	r         Reader
	ctx       context.Context
	scale     float64 // image pixels per working-copy pixel
	best      Reading
	bestScore float64
	err       error
}

func (s *search) keep(rd Reading, sc float64) bool {
	if sc > s.bestScore {
		s.best, s.bestScore = rd, sc
		return true
	}
	return false
}

// fail records an error; a deadline overrides the others.
func (s *search) fail(err error) {
	if s.err == nil || s.ctx.Err() != nil {
		s.err = err
	}
}

// done says the search should stop: a clearly right reading, or the
// deadline.
func (s *search) done() bool {
	return s.bestScore >= goodScore && confident(s.best) || s.ctx.Err() != nil
}

// maxZones is how many candidate zones of one image are read, best first.
const maxZones = 2

// try reads the candidate zones of g (rotation: the degrees, counter-
// clockwise, g is turned from the image), and the first one upside down
// when it reads badly. It reports whether the line finder found a zone and
// the direction the characters run in.
func (s *search) try(g *image.Gray, name string, rotation float64) (bool, float64) {
	_, span := tracing.Start(s.ctx, "mrz.locate", attribute.String("openkyc.mrz.pass", name))
	zones, all, angle := locateZones(g)
	span.SetAttributes(attribute.Int("openkyc.mrz.zones", len(zones)))
	span.End()
	var first zoneLines
	if len(zones) > 0 {
		first = zones[0]
	}
	s.r.debugLines(name, g, all, first)
	read, bestIdx := map[int]Reading{}, -1
	for i, z := range zones {
		if i == maxZones || s.done() || i > 0 && settled(s.best) {
			break
		}
		zname := name
		if i > 0 {
			zname = fmt.Sprintf("%s-zone%d", name, i+1)
			s.r.debugLines(zname, g, nil, z)
		}
		rd, sc, err := s.r.readZone(s.ctx, g, z, zname, z.capH()*s.scale)
		if err != nil {
			s.fail(err)
			continue
		}
		rd.Skew, rd.Band, rd.CharHeight = normDeg(rotation), scaleRect(z.bounds(), s.scale), z.capH()*s.scale
		read[i] = rd
		if s.keep(rd, sc) {
			bestIdx = i
		}
	}
	if bestIdx >= 0 {
		s.others(g, name, zones, bestIdx, read)
	}
	if len(zones) == 0 || s.done() || settled(s.best) {
		return len(zones) > 0, angle
	}
	g2 := quality.Turn(g, 180)
	if zs, all2, _ := locateZones(g2); len(zs) > 0 {
		s.r.debugLines(name+"-upside-down", g2, all2, zs[0])
		rd, sc, err := s.r.readZone(s.ctx, g2, zs[0], name+"-upside-down", zs[0].capH()*s.scale)
		if err != nil {
			s.fail(err)
		} else {
			rd.Skew, rd.Band, rd.CharHeight = normDeg(rotation+180), scaleRect(zs[0].bounds(), s.scale), zs[0].capH()*s.scale
			s.keep(rd, sc)
		}
	}
	return true, angle
}

// otherZones is how many candidate zones besides the best are looked at
// for the MRZ of another document.
const otherZones = 2

// others counts, into the best reading (read from zones[bestIdx]), the
// other documents' MRZs on the image: candidate zones apart from the best
// one that read as an MRZ of their own (two check digits holding, another
// text). Zones not read yet are read now; only images with several
// candidate zones pay for it.
func (s *search) others(g *image.Gray, name string, zones []zoneLines, bestIdx int, read map[int]Reading) {
	own := zones[bestIdx].bounds()
	looked := 0
	for j, z := range zones {
		if j == bestIdx || z.bounds().Overlaps(own) {
			continue
		}
		if looked++; looked > otherZones || s.ctx.Err() != nil {
			return
		}
		rd, ok := read[j]
		if !ok {
			var err error
			if rd, _, err = s.r.readZone(s.ctx, g, z, fmt.Sprintf("%s-other%d", name, j+1), z.capH()*s.scale); err != nil {
				continue
			}
		}
		valid := 0
		for _, cd := range rd.Document.CheckDigits {
			if cd.Valid {
				valid++
			}
		}
		if valid >= 2 && strings.Join(rd.Lines, "") != strings.Join(s.best.Lines, "") {
			s.best.OtherMRZs++
		}
	}
}

// normDeg brings an angle into (-180, 180].
func normDeg(d float64) float64 {
	d = math.Mod(d, 360)
	switch {
	case d > 180:
		d -= 360
	case d <= -180:
		d += 360
	}
	return math.Round(d*100) / 100
}

// settled says the zone read is the MRZ, the right way up, whatever its
// remaining errors: tesseract was sure of its characters (readWell), or two
// of the check digits of the document number and the dates hold (one holds
// by chance one time in ten; an empty optional field's always does) with at
// most two characters repaired (lines read upside down come out as runs of
// S, Z and 5 that dozens of swaps fit to any check digit). Another zone,
// orientation or finder would only read the same lines worse.
func settled(rd Reading) bool {
	if readWell(rd) {
		return true
	}
	if rd.Repaired > 2 {
		return false
	}
	n := 0
	for _, c := range rd.Document.CheckDigits {
		switch c.Field {
		case "document_number", "birth_date", "expiry_date":
			if c.Valid {
				n++
			}
		}
	}
	return n >= 2
}

// readWell says tesseract was sure of the reading's characters (their
// mean confidence is at least 90): the zone was the right way up and
// legible, whatever its check digits say.
func readWell(rd Reading) bool {
	var s float64
	n := 0
	for _, l := range rd.CharConfidence {
		for _, c := range l {
			if c >= 0 {
				s, n = s+c, n+1
			}
		}
	}
	return n > 0 && s/float64(n) >= 90
}

// goodScore is a reading whose every check digit holds with no other
// problem (see score): no other orientation or finder is tried after it.
const goodScore = 1000

// minWork is the narrowest working copy: smaller images are enlarged.
const minWork = 1000

// locateZones finds the candidate MRZs of g with the line finder, best
// first. It also returns every text line it chained (for the debug output)
// and the direction the characters run in (textAngle), to turn the image
// by when no zone reads well.
func locateZones(g *image.Gray) ([]zoneLines, []textLine, float64) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 100 || h < 40 {
		return nil, nil, 0
	}
	win := max(15, min(w, h)/25) | 1
	comps := components(darkMask(g, win, 0.15), w, h)
	lines := findLines(comps, h)
	angle, _ := textAngle(comps)
	return findZones(lines), lines, angle
}

// capH is the mean character height of the zone's lines.
func (z zoneLines) capH() float64 {
	var s float64
	for _, l := range z.lines {
		s += l.capH
	}
	return math.Round(s/float64(len(z.lines))*10) / 10
}

// bounds is the box of the zone's characters in its image.
func (z zoneLines) bounds() image.Rectangle {
	var r image.Rectangle
	for _, l := range z.lines {
		for _, c := range l.comps {
			r = r.Union(image.Rect(c.x0, c.y0, c.x1, c.y1))
		}
	}
	return r
}

// readZone straightens the zone's lines and reads them: first as
// stretched grey; when that reading is not clearly right (a check digit or
// the layout fails, or a character is doubtful), also binarised two ways,
// and picks the best combination of the readings and their vote (see
// choose). Each pass is one tesseract run over all lines. Small text
// (charH, the characters' height in the submitted image, under smallText)
// is always read all three ways, so its names are cross-checked.
func (r Reader) readZone(ctx context.Context, g *image.Gray, z zoneLines, name string, charH float64) (Reading, float64, error) {
	lines := zoneImages(g, z)
	n := len(z.lines)
	read := make([][]hocrLine, len(binarisations)) // per binarisation, per line
	var dbg strings.Builder
	pass := func(vs ...int) error {
		groups := make([][]*image.Gray, len(vs))
		for i, v := range vs {
			for _, l := range lines {
				groups[i] = append(groups[i], binarisations[v].fn(l))
			}
		}
		sh, slots := sheet(groups)
		if r.Debug != nil {
			r.Debug.Image(fmt.Sprintf("%s-ocr-input-%d.png", name, vs[0]), sh)
		}
		hl, err := r.tesseract(ctx, sh)
		if err != nil {
			return err
		}
		got := slotted(hl, slots)
		for i, v := range vs {
			read[v] = got[i*n : (i+1)*n]
			for k, l := range read[v] {
				fmt.Fprintf(&dbg, "line %d %-6s %s\n", k+1, binarisations[v].name, l.text)
			}
		}
		return nil
	}
	if err := pass(0); err != nil {
		return Reading{}, 0, err
	}
	small := charH < smallText
	rd, sc, ok := pickZone(read, nil, n, z.width, &dbg)
	if !ok || sc < goodScore || !confident(rd) || small {
		if err := pass(1, 2); err != nil {
			return Reading{}, 0, err
		}
		var glyphs []hocrLine
		if r.Glyphs != nil && small {
			glyphs = make([]hocrLine, n)
			for k := range n {
				if xs := cellCentres(read, k, z.width); xs != nil {
					glyphs[k] = r.Glyphs.readLine(lines[k], xs, glyphMask(n, z.width, k), charH)
					fmt.Fprintf(&dbg, "line %d %-6s %s %v\n", k+1, "glyphs", glyphs[k].text, glyphs[k].chars)
				}
			}
		}
		rd, sc, ok = pickZone(read, glyphs, n, z.width, &dbg)
	}
	if !ok {
		r.debugText(name+"-readings.txt", dbg.String())
		return Reading{}, 0, errors.New("the machine readable zone could not be read")
	}
	fmt.Fprintf(&dbg, "chosen (score %.1f):\n%s\n", sc, strings.Join(rd.Lines, "\n"))
	r.debugText(name+"-readings.txt", dbg.String())
	return rd, sc, nil
}

// smallText is the character height (pixels of the submitted image) below
// which one binarisation's reading of the names is not trusted alone: no
// check digit covers them, and at 9–10 px tesseract read D as O and K as X
// at 97 % confidence on the public set.
const smallText = 12

// pickZone offers, for each line, every reading at least half a line long
// and, where two or more readings have one length, their vote, and
// chooses the best combination. In the names' line, which no check digit
// covers, each reading's characters keep only the confidence the other
// readings lend them (see agreed): one binarisation's confident misreading
// stays doubtful. glyphs, when set, are the glyph matcher's readings of
// small text: in the names' line it votes with tesseract's (glyphVote, the
// only option then); in the other lines its reading is one more option,
// which the check digits accept or not.
func pickZone(read [][]hocrLine, glyphs []hocrLine, n, width int, dbg *strings.Builder) (Reading, float64, bool) {
	names := namesLine(n)
	opts := make([][]hocrLine, n)
	for i := 0; i < n; i++ {
		var reads []hocrLine
		for _, rs := range read {
			if rs != nil {
				reads = append(reads, rs[i])
			}
		}
		var gl hocrLine
		if i < len(glyphs) {
			gl = glyphs[i]
		}
		if i == names && gl.text != "" {
			if wv, ok := glyphVote(reads, gl); ok {
				fmt.Fprintf(dbg, "line %d %-6s %s\n", i+1, "vote+g", wv.text)
				opts[i] = []hocrLine{wv}
				continue
			}
		}
		if i == names {
			reads = agreed(reads)
		}
		if vt, ok := vote(reads); ok {
			fmt.Fprintf(dbg, "line %d %-6s %s\n", i+1, "vote", vt.text)
			opts[i] = append(opts[i], vt)
		}
		for _, rd := range reads {
			if len(rd.text) >= width/2 && !hasText(opts[i], rd.text) {
				opts[i] = append(opts[i], rd)
			}
		}
		if gl.text != "" && !hasText(opts[i], gl.text) {
			opts[i] = append(opts[i], gl)
		}
		if len(opts[i]) == 0 {
			return Reading{}, 0, false
		}
	}
	rd, sc := choose(opts)
	return rd, sc, true
}

// namesLine is the line of the names in a zone of n lines: the last of a
// TD1, the first otherwise.
func namesLine(n int) int {
	if n == 3 {
		return 2
	}
	return 0
}

// confident says Assess would pass the reading as it is.
func confident(rd Reading) bool {
	return Assess(rd, time.Time{}).Status == kyc.CheckPassed
}

func hasText(ls []hocrLine, s string) bool {
	for _, l := range ls {
		if l.text == s {
			return true
		}
	}
	return false
}

// choose picks, among every combination of one reading per line, the one
// whose repaired lines score best (check digits that hold, no parse
// problems), then the most confident.
func choose(opts [][]hocrLine) (Reading, float64) {
	var best Reading
	bestScore := math.Inf(-1)
	idx := make([]int, len(opts))
	for {
		ls := make([]hocrLine, len(opts))
		for i, k := range idx {
			ls[i] = opts[i][k]
		}
		rd, sc := assemble(ls)
		if sc > bestScore {
			best, bestScore = rd, sc
		}
		i := 0
		for ; i < len(idx); i++ {
			if idx[i]++; idx[i] < len(opts[i]) {
				break
			}
			idx[i] = 0
		}
		if i == len(idx) {
			return best, bestScore
		}
	}
}

// assemble repairs OCR lines into a Reading and scores it: a thousand for
// a reading that parses with every check digit valid, else the check-digit
// score, less half a point for each character repaired or cut off to fit
// the layout (a reading that needs none beats one whose check digits hold
// after a cut: a dropped first character and an inserted one can balance;
// fillers added at a line's end cost nothing, tesseract often drops them),
// plus the mean character confidence as the tie-break.
func assemble(ls []hocrLine) (Reading, float64) {
	raw := make([]string, len(ls))
	chars := make([][]float64, len(ls))
	rd := Reading{}
	for i, l := range ls {
		raw[i], chars[i] = l.text, l.chars
		rd.Confidence = append(rd.Confidence, meanConf(l.chars))
	}
	rd.Raw = raw
	f := repair(raw)
	rd.Lines, rd.Repaired, rd.Fitted, rd.Ambiguous = f.lines, f.changed, f.dropped, f.ambiguous
	var confSum float64
	var confN int
	for i := range f.src {
		cc := make([]float64, len(f.src[i]))
		for j, from := range f.src[i] {
			cc[j] = -1
			if i < len(chars) && from >= 0 && from < len(chars[i]) {
				cc[j] = chars[i][from]
				confSum += cc[j]
				confN++
			} else {
				rd.Fitted++
			}
		}
		rd.CharConfidence = append(rd.CharConfidence, cc)
	}
	d, perr := Parse(rd.Lines...)
	rd.Document = d
	sc := float64(score(rd.Lines))
	if perr != nil {
		rd.ParseError = perr.Error()
	} else {
		sc = goodScore
	}
	sc -= float64(rd.Repaired+f.dropped) * 0.5
	if confN > 0 {
		sc += confSum / float64(confN) / 100
	}
	return rd, sc
}

func meanConf(c []float64) float64 {
	if len(c) == 0 {
		return 0
	}
	var s float64
	for _, v := range c {
		s += v
	}
	return math.Round(s/float64(len(c))*10) / 10
}

// readBand is the first version's reader: the band of dense text rows at
// the foot of the image, binarised with Otsu and read as one block.
func (r Reader) readBand(ctx context.Context, gray *image.Gray, scale float64) (Reading, float64, error) {
	g := gray
	skew := skewAngle(g)
	if skew != 0 {
		g = rotateGray(g, skew)
	}
	band, ok := locateBand(g)
	if !ok {
		return Reading{}, 0, errors.New("no machine readable zone found on the image")
	}
	crop := prepare(g, band)
	if r.Debug != nil {
		r.Debug.Image("band-ocr-input.png", crop)
	}
	lines, _, chars, err := r.ocr(ctx, crop)
	if err != nil {
		return Reading{}, 0, err
	}
	hl := make([]hocrLine, len(lines))
	for i := range lines {
		hl[i] = hocrLine{text: lines[i], chars: chars[i]}
	}
	// Three lines may be a TD1 or a TD2/TD3 with a line of noise above or
	// below: keep the reading whose check digits hold best.
	var best Reading
	bestScore := math.Inf(-1)
	for _, idx := range candidates(len(hl)) {
		ls := make([]hocrLine, len(idx))
		for i, k := range idx {
			ls[i] = hl[k]
		}
		if rd, sc := assemble(ls); sc > bestScore {
			best, bestScore = rd, sc
		}
	}
	best.Skew = skew
	best.Band = scaleRect(band, scale)
	// the band holds its lines with about a line's gap between them
	// and half a line of padding: a rough character height
	best.CharHeight = math.Round(float64(band.Dy())*scale/(float64(max(1, len(best.Lines)))*1.9)*10) / 10
	r.debugText("band-readings.txt", strings.Join(lines, "\n")+"\nchosen:\n"+strings.Join(best.Lines, "\n")+"\n")
	return best, bestScore, nil
}

func scaleRect(b image.Rectangle, scale float64) [4]int {
	return [4]int{int(float64(b.Min.X) * scale), int(float64(b.Min.Y) * scale), int(float64(b.Max.X) * scale), int(float64(b.Max.Y) * scale)}
}

// debugLines draws the text lines the finder chained (their characters'
// boxes in green, the zone's in red, each fitted centre line in blue) over
// the image.
func (r Reader) debugLines(name string, g *image.Gray, all []textLine, z zoneLines) {
	if r.Debug == nil {
		return
	}
	out := image.NewRGBA(g.Rect)
	draw.Draw(out, out.Rect, g, g.Rect.Min, draw.Src)
	for i, set := range [][]textLine{all, z.lines} {
		c := color.RGBA{0, 170, 0, 255}
		if i == 1 {
			c = color.RGBA{220, 0, 0, 255}
		}
		for _, l := range set {
			for _, cc := range l.comps {
				box(out, image.Rect(cc.x0, cc.y0, cc.x1, cc.y1), c)
			}
			for x := l.x0(); x < l.x1(); x++ {
				out.Set(int(x), int(l.yAt(x)), color.RGBA{0, 90, 255, 255})
			}
		}
	}
	r.Debug.Image(name+"-lines.png", out)
}

func box(img *image.RGBA, r image.Rectangle, c color.Color) {
	for x := r.Min.X; x < r.Max.X; x++ {
		img.Set(x, r.Min.Y, c)
		img.Set(x, r.Max.Y-1, c)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		img.Set(r.Min.X, y, c)
		img.Set(r.Max.X-1, y, c)
	}
}

func (r Reader) debugText(name, text string) {
	if r.Debug != nil {
		r.Debug.Text(name, text)
	}
}
