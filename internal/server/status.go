package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/tributary/tributary/internal/status"
)

// statusCSS is the status page's only style: on a narrow screen the table
// scrolls sideways inside its box, and the page itself does not.
const statusCSS = `body{font-family:system-ui,sans-serif;margin:1em;line-height:1.4}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:16em}
tr.failing{background:#fde2e2}tr.backoff{background:#fff4d6}`

// statusPolicy is contentSecurityPolicy with the page's inline style
// allowed by its hash: still no script, no external asset, no framing.
var statusPolicy = func() string {
	sum := sha256.Sum256([]byte(statusCSS))
	return contentSecurityPolicy + "; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// statusTmpl is the status page: html/template escapes every name, URL
// and error it shows.
var statusTmpl = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}: status</title>
<style>` + statusCSS + `</style>
</head><body><h1>{{.Title}}: status</h1>
<p>Generated {{when .Generated}}. Retention last ran: {{when .Report.LastRetention}}. {{len .Report.Sources}} sources, failing first.</p>
<div class="scroll"><table>
<thead><tr><th>Source</th><th>State</th><th>Failures</th><th>Last attempt</th><th>Last success</th><th>Next run</th><th>Backoff until</th><th>Articles</th><th>Pages extracted</th><th>Pages failed</th><th>URL</th><th>Last error</th></tr></thead>
<tbody>
{{range .Report.Sources}}<tr class="{{if eq .State "failing"}}failing{{else if eq .State "backoff"}}backoff{{end}}">
<td>{{.Name}}</td><td>{{.State}}</td><td>{{.Failures}}</td><td>{{when .LastAttempt}}{{with .LastStatus}} ({{.}}){{end}}</td><td>{{when .LastSuccess}}</td>
<td>{{if .NextRun}}{{when .NextRun}}{{else}}-{{end}}</td><td>{{if .BackoffUntil}}{{when .BackoffUntil}}{{else}}-{{end}}</td>
<td>{{.Articles}}</td><td>{{.PagesExtracted}}</td><td>{{.PagesFailed}}</td>
<td class="wrap">{{.URL}}{{with .FeedURL}}<br>feed: {{.}}{{end}}</td><td class="wrap">{{.LastError}}</td></tr>
{{end}}</tbody></table></div>
{{with .Report.Feeds}}<h2>Feeds</h2>
<p>Items each feed holds, and the items its rules left out, by rule.</p>
<div class="scroll"><table>
<thead><tr><th>Feed</th><th>Items</th><th>Left out by include</th><th>by exclude</th><th>by max_age</th><th>by per_source_limit</th></tr></thead>
<tbody>
{{range .}}<tr><td>{{.Name}}</td><td>{{.Items}}</td><td>{{.Filtered.Include}}</td><td>{{.Filtered.Exclude}}</td><td>{{.Filtered.MaxAge}}</td><td>{{.Filtered.PerSourceLimit}}</td></tr>
{{end}}</tbody></table></div>{{end}}</body></html>
`))

// handleStatus serves /status: every source's state as an HTML table,
// failing first; 503 when the store cannot say.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	rep, err := s.opts.Status(ctx)
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		if r.Context().Err() == nil {
			s.log.Error("status", slog.Any("error", err))
		}
		http.Error(w, "status unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", statusPolicy)
	title := s.opts.Title
	if title == "" {
		title = "Tributary"
	}
	gen := rep.GeneratedAt
	if err := statusTmpl.Execute(w, struct {
		Title     string
		Generated *time.Time
		Report    status.Report
	}{title, &gen, rep}); err != nil {
		s.log.Error("render status", slog.Any("error", err))
	}
}
