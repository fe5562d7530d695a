-- wrk script: POST /v1/profiles (fit NAL-R from a stored audiogram and store it) with a bearer token.
-- Environment: SP_TOKEN (bearer token), SP_USER (user id), SP_AUDIOGRAM (that user's audiogram id).
local token = assert(os.getenv("SP_TOKEN"), "set SP_TOKEN")
local user = assert(os.getenv("SP_USER"), "set SP_USER")
local audiogram = assert(os.getenv("SP_AUDIOGRAM"), "set SP_AUDIOGRAM")

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"userId":"%s","audiogramId":"%s","rule":"nal-r"}', user, audiogram)

-- wrk counts answers with status > 399 in summary.errors.status (and prints "Non-2xx or 3xx
-- responses"); print it always, so a run full of errors cannot pass for a fast one.
function done(summary, latency, requests)
  io.write(string.format("error responses (status > 399): %d\n", summary.errors.status))
end
