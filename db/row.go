package db

// Column is one named value of a Row.
type Column struct {
	// Name is the column's name as the database reports it.
	Name string
	// Value is the column's value, one of the Go types listed in the
	// package documentation.
	Value any
}

// Row is one result row: its columns in the order the query produced them.
// Two columns may share a name (SELECT a.id, b.id); both are kept.
type Row []Column

// Get returns the value of the first column named name, and whether there is
// one.
func (r Row) Get(name string) (any, bool) {
	for _, c := range r {
		if c.Name == name {
			return c.Value, true
		}
	}
	return nil, false
}

// Map returns the row as a map from column name to value; of two columns
// sharing a name, the later one wins.
func (r Row) Map() map[string]any {
	m := make(map[string]any, len(r))
	for _, c := range r {
		m[c.Name] = c.Value
	}
	return m
}
