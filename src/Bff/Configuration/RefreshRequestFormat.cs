namespace Bff.Configuration;

/// <summary>How the refresh request is encoded.</summary>
public enum RefreshRequestFormat
{
    /// <summary>RFC 6749 §6: form-encoded <c>grant_type=refresh_token</c> with client authentication.</summary>
    Form,

    /// <summary>Supabase GoTrue style: <c>POST …/token?grant_type=refresh_token</c> with <c>{"refresh_token": …}</c>.</summary>
    Json,
}
