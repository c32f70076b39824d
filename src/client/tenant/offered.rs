//! The generation probes of a tenant (aeec8e47 serves offered-models; 41409fb2 the billing-mode
//! route): kept beside the client, as a child module, so they use its transport.

use reqwest::Method;
use serde_json::Value;

use super::Tenant;
use crate::client::http::Accept;
use crate::client::rows::{json_type, str_field};
use crate::client::seg;
use crate::error::Result;

/// One entry of `GET /admin/llm/offered-models`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedModel {
    pub model: String,
    pub provider: String,
    pub platform_billed: bool,
}

impl OfferedModel {
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        let model = str_field(v, "model")?.to_owned();
        let provider = str_field(v, "provider")?.to_owned();
        let platform_billed = v.get("platform_billed").and_then(Value::as_bool).ok_or("no boolean \"platform_billed\"")?;
        Ok(OfferedModel { model, provider, platform_billed })
    }
}

impl Tenant {
    /// `GET path` answered with any status: the status and whether the body is JSON (a
    /// removed route falls to the canvas's HTML 404). The generation preflight reads it.
    pub async fn route_answer(&self, op: &'static str, path: &str) -> Result<(u16, bool)> {
        let a = self.http.json_accepting(op, Method::GET, path, None, Accept::Any).await?;
        Ok((a.status, a.json().is_ok()))
    }

    /// `GET /admin/llm/offered-models?runtime=` (aeec8e47 `h/offered_models.go`): the models
    /// the registry offers for `runtime`, each `{model, provider, platform_billed, auth_env?}`.
    pub async fn offered_models(&self, runtime: &str) -> Result<Vec<OfferedModel>> {
        let path = format!("/admin/llm/offered-models?runtime={}", seg(runtime));
        let a = self.http.json("offered_models", Method::GET, &path, None).await?;
        let v = a.json()?;
        let rows = v
            .get("models")
            .and_then(Value::as_array)
            .ok_or_else(|| a.malformed("{\"runtime\",\"models\":[…]}", format!("the answer is {}", json_type(&v))))?;
        rows.iter().map(|r| OfferedModel::decode(r).map_err(|e| a.malformed("an offered model", e))).collect()
    }
}
