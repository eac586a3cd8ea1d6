/* The JSON API as the dashboard calls it: the editor token (sessionStorage) and one fetch helper. */

const TOKEN_KEY = "refsvc.editorToken";
export const ASKED_KEY = "refsvc.tokenAsked";

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function keepToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function forgetToken() { sessionStorage.removeItem(TOKEN_KEY); }

/* Call the API; resolves with the JSON body, rejects with an Error carrying .status. */
export async function api(path, {method = "GET", body, editor = false, bearer} = {}) {
  const headers = {"Accept": "application/json"};
  const credential = bearer || token();
  // Reads carry the token too when there is one: editors see more (the Wayback suggestion).
  if (editor || credential) { headers.Authorization = "Bearer " + credential; }
  if (body !== undefined) { headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, {method, headers, cache: "no-cache",
                                      body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const error = new Error((data && data.message) || `The API answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

export function isRefused(error) { return error.status === 401 || error.status === 403; }
