select merchant_category, risk_tier, family
from {{ ref('merchant_categories') }}
