/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Django serves the built files from frontend/dist under /static/app/ (STATICFILES_DIRS with the
// "app" prefix) and answers every /app/… route with index.html. `npm run dev` serves the app on
// its own port with hot reload and forwards the API and webhooks to Django on 127.0.0.1:8000.
const django = process.env.ORDERFLOW_DJANGO ?? "http://127.0.0.1:8000";
// `make run` serves the live-updates WebSocket with daphne on the next port (orderflow/run.py).
const djangoLive = process.env.ORDERFLOW_DJANGO_LIVE ?? "http://127.0.0.1:8001";

export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/app/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: {
      "/api": { target: django, changeOrigin: false },
      "/hooks": { target: django, changeOrigin: false },
      "/admin": { target: django, changeOrigin: false },
      "/ws": { target: djangoLive, ws: true, changeOrigin: false },
    },
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
  },
}));
