select
    transaction_id,
    round(amount, 2) as amount,
    lower(merchant_category) as merchant_category,
    hour,
    upper(country) as country,
    device,
    tx_last_1h,
    tx_last_24h,
    amount_vs_avg,
    {{ is_night('hour') }} as night,
    is_fraud
from {{ ref('raw_transactions') }}
where amount > 0 and amount <= {{ var('max_amount') }}
