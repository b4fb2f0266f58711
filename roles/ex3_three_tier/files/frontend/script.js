// ... (JavaScript code as before) ...
const apiUrl = '/api/text';
const textDisplay = document.getElementById('textDisplay');
const errorDiv = document.getElementById('error');

async function fetchText() {
    errorDiv.textContent = '';
    textDisplay.textContent = 'Loading...';
    let controller;
    try {
        controller = new AbortController();
        const timeoutId = setTimeout(() => { console.warn('Request timed out.'); controller.abort(); }, 8000);

        const response = await fetch(apiUrl, { signal: controller.signal });
        clearTimeout(timeoutId);

        if (!response.ok) {
             let errorDetails = '';
             try { errorDetails = await response.text(); } catch (e) {}
             let errorMsg = `HTTP error! Status: ${response.status} ${response.statusText}`;
             if (errorDetails) { errorMsg += ` - Response: ${errorDetails.substring(0, 150)}...`; }
             throw new Error(errorMsg);
        }
        const data = await response.json();
        textDisplay.textContent = data.text;
    } catch (error) {
        console.error('Error fetching text:', error);
        let userMessage = `Error: ${error.message}. `;
         if (error.name === 'AbortError') { userMessage += 'Timeout (>8s). Is the API running and responding quickly? Check `podman logs text-api`.'; }
         else if (error instanceof TypeError && error.message.includes('fetch')) { userMessage += 'Network error or connection refused. Can the browser reach localhost:8089? Is `text-frontend` running?'; }
         else if (error.message.includes('502')) { userMessage += 'Bad Gateway - Nginx (`text-frontend`) could not get a valid response from the API (`text-api` at localhost:5001). Is `text-api` running and healthy? Check `podman ps --pod` and logs (`podman logs text-api`, `podman logs text-frontend`).'; }
         else if (error.message.includes('504')) { userMessage += 'Gateway Timeout - The API (`text-api`) took too long to respond. Check `podman logs text-api` for slow operations or errors.'; }
         else if (error instanceof SyntaxError || (error.message && error.message.toLowerCase().includes('json'))) { userMessage += 'Invalid JSON response from API. Check `podman logs text-api` for errors. Did the API return HTML or unexpected text?'; }
         else { userMessage += 'Unknown error. Check browser console (F12) and container logs (`podman logs text-api`, `podman logs text-frontend`).'; }
        errorDiv.textContent = userMessage;
        textDisplay.textContent = 'Error loading data.';
    }
}
document.addEventListener('DOMContentLoaded', fetchText);
