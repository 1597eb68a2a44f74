import { lazy, Suspense } from "react";
import { AuthProvider, useAuth } from "./app/auth";
import { LoginPage } from "./app/LoginPage";
import { match, useLocation } from "./app/router";
import { Shell } from "./app/Shell";
import { I18nProvider, useI18n } from "./i18n/i18n";
import { ExecutionsPage } from "./pages/ExecutionsPage";
import { FlowsPage } from "./pages/FlowsPage";
import { InboxPage } from "./pages/InboxPage";
import { TicketsPage } from "./pages/TicketsPage";

// The editor (canvas, forms, JSON Schema validation) is most of the code: it loads on its own.
const EditorPage = lazy(() => import("./editor/EditorPage"));
// The Connections pages are the admin's: they load when first opened.
const ConnectionsPage = lazy(() =>
  import("./connections/ConnectionsPage").then((m) => ({ default: m.ConnectionsPage })),
);
const AddConnectionPage = lazy(() =>
  import("./connections/AddConnectionPage").then((m) => ({ default: m.AddConnectionPage })),
);
const OrderImportsPage = lazy(() =>
  import("./imports/OrderImportsPage").then((m) => ({ default: m.OrderImportsPage })),
);
const ConnectionDetailPage = lazy(() =>
  import("./connections/ConnectionDetailPage").then((m) => ({ default: m.ConnectionDetailPage })),
);

const OrderBoardPage = lazy(() => import("./orders/OrderBoardPage").then((m) => ({ default: m.OrderBoardPage })));
const OrderDetailPage = lazy(() =>
  import("./orders/detail/OrderDetailPage").then((m) => ({ default: m.OrderDetailPage })),
);
const CreateOrderPage = lazy(() =>
  import("./orders/create/CreateOrderPage").then((m) => ({ default: m.CreateOrderPage })),
);
const StockPage = lazy(() => import("./stock/StockPage").then((m) => ({ default: m.StockPage })));
// The dashboards carry the chart library: they load when first opened.
const DashboardPage = lazy(() => import("./insights/DashboardPage").then((m) => ({ default: m.DashboardPage })));
const RefundsPage = lazy(() => import("./refunds/RefundsPage").then((m) => ({ default: m.RefundsPage })));
const ReconciliationPage = lazy(() =>
  import("./reconciliation/ReconciliationPage").then((m) => ({ default: m.ReconciliationPage })),
);
const RiskPage = lazy(() => import("./risk/RiskPage").then((m) => ({ default: m.RiskPage })));
// The template marketplace (its preview reuses the editor's canvas): loads when first opened.
const GalleryPage = lazy(() => import("./marketplace/GalleryPage").then((m) => ({ default: m.GalleryPage })));
const TaskMonitorPage = lazy(() => import("./monitor/TaskMonitorPage").then((m) => ({ default: m.TaskMonitorPage })));

function Loading() {
  const { t } = useI18n();
  return <p className="loading">{t("common.loading")}</p>;
}

function Page() {
  const { path, query } = useLocation();
  let params: Record<string, string> | null;
  if ((params = match("/flows/:id", path))) {
    return <EditorPage key={params.id} flowId={Number(params.id)} executionId={query.get("execution")} />;
  }
  if (match("/executions", path)) return <ExecutionsPage flowId={query.get("flow")} />;
  if ((params = match("/tickets/:id", path))) return <TicketsPage selectedId={Number(params.id)} />;
  if (match("/tickets", path)) return <TicketsPage selectedId={null} />;
  if (match("/inbox", path)) return <InboxPage />;
  if ((params = match("/connections/new/:connector", path)))
    return <AddConnectionPage key={params.connector} connectorKey={params.connector} />;
  if ((params = match("/connections/:id", path)) && /^\d+$/.test(params.id))
    return <ConnectionDetailPage key={params.id} id={Number(params.id)} />;
  if (match("/connections", path)) return <ConnectionsPage />;
  if (match("/order-imports", path)) return <OrderImportsPage />;
  if (match("/orders/new", path)) return <CreateOrderPage />;
  if ((params = match("/orders/:id", path)) && /^\d+$/.test(params.id))
    return <OrderDetailPage key={params.id} id={Number(params.id)} />;
  if (match("/orders", path)) return <OrderBoardPage />;
  if (match("/stock", path)) return <StockPage />;
  if (match("/dashboards", path)) return <DashboardPage />;
  if (match("/monitor", path)) return <TaskMonitorPage />;
  if (match("/refunds", path)) return <RefundsPage />;
  if (match("/reconciliation", path)) return <ReconciliationPage />;
  if (match("/risk", path)) return <RiskPage />;
  if ((params = match("/templates/:slug", path))) return <GalleryPage key={params.slug} slug={params.slug} />;
  if (match("/templates", path)) return <GalleryPage slug={null} />;
  return <FlowsPage />;
}

function Gate() {
  const { me, ready } = useAuth();
  if (!ready) return <Loading />;
  if (!me) return <LoginPage />;
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    </Shell>
  );
}

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <Gate />
      </AuthProvider>
    </I18nProvider>
  );
}
