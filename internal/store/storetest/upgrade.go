package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/store"
)

// V1Article is the article the upgrade tests write with the first schema,
// before opening the store, which migrates it.
var V1Article = feeds.Article{ID: "old", Source: "s", Title: "From v1", Published: time.Unix(1700000000, 0)}

// CheckUpgradedFromV1 checks a store opened on a database of the first
// schema that held V1Article: the article reads back, the tables added
// since work, and storing the article again is recognised as unchanged,
// not a duplicate.
func CheckUpgradedFromV1(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	a, err := st.Article(ctx, V1Article.Source, V1Article.ID)
	if err != nil || a.Title != V1Article.Title || !a.Published.Equal(V1Article.Published) {
		t.Fatalf("article from the older schema: %+v, %v", a, err)
	}
	if err := st.SaveSourceState(ctx, store.SourceState{Name: V1Article.Source, LastStatus: "new"}); err != nil {
		t.Fatalf("SaveSourceState after upgrade: %v", err)
	}
	// An article stored before retention existed counts as listed until
	// its source's next parsed document: upgrading deletes nothing.
	if got, err := st.Expire(ctx, store.Retention{Source: V1Article.Source, MaxAge: time.Second, MaxItems: 0}, time.Now()); err != nil || got != (store.Expired{}) {
		t.Fatalf("Expire after upgrade = %+v, %v; want nothing deleted", got, err)
	}
	res, err := st.UpsertArticles(ctx, []feeds.Article{V1Article})
	if err != nil || res != (store.UpsertResult{Unchanged: 1}) {
		t.Fatalf("re-upsert of the old article = %+v, %v", res, err)
	}
}
