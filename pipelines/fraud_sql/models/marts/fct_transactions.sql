{{ config(materialized='incremental', unique_key='transaction_id') }}

-- one row per transaction with its merchant's risk tier and its country's region:
-- the frame fraud_detection trains on with `--param source=warehouse`
select
    t.*,
    coalesce(m.risk_tier, 'unknown') as risk_tier,
    c.region,
    c.high_risk as high_risk_country
from {{ ref('stg_transactions') }} t
left join {{ ref('stg_merchants') }} m using (merchant_category)
left join {{ ref('countries') }} c using (country)
{% if is_incremental() %}
where t.transaction_id > (select max(transaction_id) from {{ this }})
{% endif %}
