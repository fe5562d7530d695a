-- wrk script: GET /v1/profiles/{id} with a bearer token.
-- Environment: SP_TOKEN (bearer token), SP_PROFILE (profile id the token may read).
local token = assert(os.getenv("SP_TOKEN"), "set SP_TOKEN")
local profile = assert(os.getenv("SP_PROFILE"), "set SP_PROFILE")

wrk.method = "GET"
wrk.path = "/v1/profiles/" .. profile
wrk.headers["Authorization"] = "Bearer " .. token

function done(summary, latency, requests)
  io.write(string.format("error responses (status > 399): %d\n", summary.errors.status))
end
