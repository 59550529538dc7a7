// The breaker policies live here; see Policies.
